/**
 * `vanishing_gradient`: the first layers receive almost no gradient.
 *
 * - ratio 1e-3 and firstNorm 1e-4: ‖g_first‖/‖g_last‖ below 1e-3 and ‖g_first‖ below 1e-4, both
 *   in the median over the run's steps (AUTOTRAINER, ICSE 2021). The ratio alone gives a
 *   warning: the first layer learns 1000× slower than the last, whatever the scale.
 */
import type { Rule } from '../rule.js';
import { verdictOf } from '../rule.js';
import { round, show } from '../series.js';
import { firstLastGradients } from './gradient-norms.js';

export const vanishingGradient: Rule = {
  name: 'vanishing_gradient',
  summary: 'the first layers receive a vanishing share of the gradient',
  thresholds: {
    ratio: {
      value: 1e-3,
      anchor: 'AUTOTRAINER (ICSE 2021)',
      meaning: 'median ‖g_first‖/‖g_last‖ below this',
    },
    firstNorm: {
      value: 1e-4,
      anchor: 'AUTOTRAINER (ICSE 2021)',
      meaning: 'median ‖g_first‖ below this (error)',
    },
  },
  check(run, limits) {
    const measured = firstLastGradients(run);
    if (typeof measured === 'string') return { skipped: measured };
    const { first, last, pairs, ratio, firstNorm } = measured;
    if (!(ratio < limits.ratio)) return { verdicts: [] };
    const error = firstNorm < limits.firstNorm;
    return {
      verdicts: [
        verdictOf(this, run, {
          severity: error ? 'error' : 'warning',
          layer: first.parameter.name,
          firstStep: pairs[0].step,
          lastStep: pairs[pairs.length - 1].step,
          evidence: {
            medianRatio: round(ratio),
            ratioThreshold: limits.ratio,
            medianFirstNorm: round(firstNorm),
            firstNormThreshold: limits.firstNorm,
            firstParameter: first.parameter.name,
            lastParameter: last.parameter.name,
            source: first.norm.source,
          },
          message: `the gradient of ${first.parameter.name} is ${show(ratio)} of that of ${last.parameter.name} (median ‖g‖ ${show(firstNorm)} over ${pairs.length} steps)`,
          remedy: {
            gradscope:
              'use --activation relu (and --optimizer adam, which scales each parameter’s step)',
            general:
              'replace sigmoid/tanh by ReLU-family activations, use He initialization, add batch normalization or residual connections; Adam adapts per-parameter step sizes',
          },
        }),
      ],
    };
  },
};
