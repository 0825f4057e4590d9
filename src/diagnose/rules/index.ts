/** Every check, in the order verdicts are listed: the registry `diagnose` runs. */
import type { Rule } from '../rule.js';
import { deadRelu } from './dead-relu.js';
import { explodingGradient } from './exploding-gradient.js';
import { learningRateTooHigh } from './learning-rate-too-high.js';
import { learningRateTooLow } from './learning-rate-too-low.js';
import { lossDiverging } from './loss-diverging.js';
import { lossNotDecreasing } from './loss-not-decreasing.js';
import { lossOscillating } from './loss-oscillating.js';
import { nonfinite } from './nonfinite.js';
import { overfitting } from './overfitting.js';
import { poorInitialization } from './poor-initialization.js';
import { saturatedActivation } from './saturated-activation.js';
import { unchangedWeights } from './unchanged-weights.js';
import { vanishingGradient } from './vanishing-gradient.js';

export const RULES: readonly Rule[] = [
  nonfinite,
  explodingGradient,
  vanishingGradient,
  deadRelu,
  saturatedActivation,
  unchangedWeights,
  lossNotDecreasing,
  lossDiverging,
  lossOscillating,
  learningRateTooHigh,
  learningRateTooLow,
  poorInitialization,
  overfitting,
];

export const CHECK_NAMES: readonly string[] = RULES.map((rule) => rule.name);
