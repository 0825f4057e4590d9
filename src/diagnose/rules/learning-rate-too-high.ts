/**
 * `learning_rate_too_high`: updates too large for the weights they change.
 *
 * - ratio 1e-2: the median update ratio ‖ΔW‖/‖W‖ (update-scale.ts) above it, i.e. 10× the
 *   usual 1e-3 (DeepDiagnosis, ICSE 2022, centres the effective learning rate on 1e-3 and allows
 *   ×/÷ 100; gradscope zoo: healthy runs lie in 1.2e-3 – 6.6e-3 and runs whose loss swings
 *   from too high a rate at 1.8e-2 and above, so 10× is the bound here).
 * - minSteps 5: fewer steps with update ratios and the check is skipped (update-scale.ts).
 */
import type { Rule } from '../rule.js';
import { checkUpdateScale, MIN_UPDATE_STEPS } from './update-scale.js';

export const learningRateTooHigh: Rule = {
  name: 'learning_rate_too_high',
  summary: 'each update changes the weights by more than 1% of their norm',
  thresholds: {
    ratio: {
      value: 1e-2,
      anchor: 'DeepDiagnosis (ICSE 2022) scale 1e-3; bound: gradscope zoo',
      meaning: 'median ‖ΔW‖/‖W‖ above this',
    },
    minSteps: MIN_UPDATE_STEPS,
  },
  check(run, limits) {
    return checkUpdateScale(this, run, limits, 'high');
  },
};
