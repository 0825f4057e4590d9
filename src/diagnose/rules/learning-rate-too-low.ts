/**
 * `learning_rate_too_low`: updates too small to move the weights.
 *
 * - ratio 1e-5: the median update ratio ‖ΔW‖/‖W‖ (update-scale.ts) below it, i.e. 1/100 of the
 *   usual 1e-3 (DeepDiagnosis, ICSE 2022: effective learning rate outside 1e-3 ×/÷ 100).
 * - minSteps 5: fewer steps with update ratios and the check is skipped (update-scale.ts).
 */
import type { Rule } from '../rule.js';
import { checkUpdateScale, MIN_UPDATE_STEPS } from './update-scale.js';

export const learningRateTooLow: Rule = {
  name: 'learning_rate_too_low',
  summary: 'each update changes the weights by less than 1e-5 of their norm',
  thresholds: {
    ratio: {
      value: 1e-5,
      anchor: 'DeepDiagnosis (ICSE 2022)',
      meaning: 'median ‖ΔW‖/‖W‖ below this',
    },
    minSteps: MIN_UPDATE_STEPS,
  },
  check(run, limits) {
    return checkUpdateScale(this, run, limits, 'low');
  },
};
