/**
 * `vanishing_gradient`: the first layers receive almost no gradient.
 *
 * - ratio 1e-3 and firstNorm 1e-4: ‖g_first‖/‖g_last‖ below 1e-3 and ‖g_first‖ below 1e-4, both
 *   in the median over the run's steps (AUTOTRAINER, ICSE 2021). The ratio alone gives a
 *   warning: the first layer learns 1000× slower than the last, whatever the scale.
 */
import type { Rule } from '../rule.js';
import { verdictOf } from '../rule.js';
import { atCommonSteps, median, round, show } from '../series.js';
import { GRADIENT_TAGS_NEEDED, kernelGradientNorms } from './gradient-norms.js';

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
    const kernels = kernelGradientNorms(run);
    if (kernels.length < 2) {
      return {
        skipped: `needs ${GRADIENT_TAGS_NEEDED}, for at least two; found ${kernels.length}`,
      };
    }
    const first = kernels[0];
    const last = kernels[kernels.length - 1];
    const pairs = atCommonSteps(first.norm.columns, last.norm.columns).filter(
      (p) => Number.isFinite(p.a) && Number.isFinite(p.b) && p.b > 0,
    );
    if (pairs.length === 0) {
      return { skipped: `no step where both ${first.norm.tag} and ${last.norm.tag} are finite` };
    }
    const ratio = median(pairs.map((p) => p.a / p.b));
    const firstNorm = median(pairs.map((p) => p.a));
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
