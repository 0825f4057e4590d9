/**
 * `learning_rate_too_high`: updates too large for the weights they change.
 *
 * - ratio 1e-1: the median update ratio ‖ΔW‖/‖W‖ (update-scale.ts) above it, i.e. 100× the
 *   usual 1e-3 (DeepDiagnosis, ICSE 2022: effective learning rate outside 1e-3 ×/÷ 100;
 *   SageMaker Debugger WeightUpdateRatio flags > 10).
 */
import type { Rule } from '../rule.js';
import { verdictOf } from '../rule.js';
import { round, show } from '../series.js';
import { updateScale } from './update-scale.js';

export const learningRateTooHigh: Rule = {
  name: 'learning_rate_too_high',
  summary: 'each update changes the weights by more than a tenth of their norm',
  thresholds: {
    ratio: {
      value: 1e-1,
      anchor: 'DeepDiagnosis (ICSE 2022)',
      meaning: 'median ‖ΔW‖/‖W‖ above this',
    },
  },
  check(run, limits) {
    const scale = updateScale(run);
    if (typeof scale === 'string') return { skipped: scale };
    if (!(scale.value > limits.ratio)) return { verdicts: [] };
    return {
      verdicts: [
        verdictOf(this, run, {
          severity: 'warning',
          layer: null,
          firstStep: scale.firstStep,
          lastStep: scale.lastStep,
          evidence: {
            medianUpdateRatio: round(scale.value),
            threshold: limits.ratio,
            healthyScale: 1e-3,
            source: scale.source,
            parameters: scale.parameters,
          },
          message: `updates change the weights by ${show(scale.value)} of their norm per step (median over ${scale.parameters} parameters; about 1e-3 is usual)`,
          remedy: {
            gradscope: `lower the learning rate about ${show(scale.value / 1e-3)}× (e.g. --learning-rate 1e-3)`,
            general: `lower the learning rate about ${show(scale.value / 1e-3)}×`,
          },
        }),
      ],
    };
  },
};
