/**
 * `learning_rate_too_low`: updates too small to move the weights.
 *
 * - ratio 1e-5: the median update ratio ‖ΔW‖/‖W‖ (update-scale.ts) below it, i.e. 1/100 of the
 *   usual 1e-3 (DeepDiagnosis, ICSE 2022: effective learning rate outside 1e-3 ×/÷ 100).
 */
import type { Rule } from '../rule.js';
import { verdictOf } from '../rule.js';
import { round, show } from '../series.js';
import { updateScale } from './update-scale.js';

export const learningRateTooLow: Rule = {
  name: 'learning_rate_too_low',
  summary: 'each update changes the weights by less than 1e-5 of their norm',
  thresholds: {
    ratio: {
      value: 1e-5,
      anchor: 'DeepDiagnosis (ICSE 2022)',
      meaning: 'median ‖ΔW‖/‖W‖ below this',
    },
  },
  check(run, limits) {
    const scale = updateScale(run);
    if (typeof scale === 'string') return { skipped: scale };
    if (!(scale.value < limits.ratio)) return { verdicts: [] };
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
          message: `updates change the weights by only ${show(scale.value)} of their norm per step (median over ${scale.parameters} parameters; about 1e-3 is usual)`,
          remedy: {
            gradscope: `raise the learning rate about ${show(1e-3 / scale.value)}× (e.g. --learning-rate 1e-3)`,
            general: `raise the learning rate about ${show(1e-3 / scale.value)}×`,
          },
        }),
      ],
    };
  },
};
