/**
 * `loss_diverging`: a training loss that grows instead of falling.
 *
 * - growth 2: the mean loss of the last 10% of points more than twice the starting loss (the
 *   lowest of the first 3 points: a loss that blows up within the first 10% of training would
 *   hide in a window) (gradscope zoo);
 * - ceiling 1e5: any finite loss at or above it (AUTOTRAINER, ICSE 2021: loss ≥ 1e5).
 * - minPoints 2.
 */
import type { Rule } from '../rule.js';
import { verdictOf } from '../rule.js';
import { firstAtLeast } from '../column-passes.js';
import { round, show } from '../series.js';
import { lossTrend } from './loss-trend.js';

export const lossDiverging: Rule = {
  name: 'loss_diverging',
  summary: 'the training loss grows',
  thresholds: {
    growth: {
      value: 2,
      anchor: 'gradscope zoo',
      meaning: 'late mean loss over early mean loss above this',
    },
    ceiling: {
      value: 1e5,
      anchor: 'AUTOTRAINER (ICSE 2021)',
      meaning: 'any finite loss at or above this',
    },
    minPoints: { value: 2, anchor: 'gradscope', meaning: 'finite loss points needed' },
  },
  check(run, limits) {
    const trend = lossTrend(run, limits.minPoints);
    if (typeof trend === 'string') return { skipped: trend };
    const { steps, values } = trend;
    const start = Math.min(...values.subarray(0, 3));
    const growth = trend.late / start;
    const highIndex = firstAtLeast(values, limits.ceiling);
    const high = highIndex < 0 ? undefined : { step: steps[highIndex], value: values[highIndex] };
    if (!(growth > limits.growth) && high === undefined) return { verdicts: [] };
    // The first of the largest values.
    let peakIndex = 0;
    for (let i = 1; i < values.length; i++) if (values[i] > values[peakIndex]) peakIndex = i;
    const peak = { step: steps[peakIndex], value: values[peakIndex] };
    return {
      verdicts: [
        verdictOf(this, run, {
          severity: 'error',
          layer: null,
          firstStep: high?.step ?? steps[0],
          lastStep: steps[steps.length - 1],
          evidence: {
            startLoss: round(start),
            lateLoss: round(trend.late),
            growth: round(growth),
            growthThreshold: limits.growth,
            peakLoss: round(peak.value),
            ceiling: limits.ceiling,
            tag: trend.tag,
          },
          message:
            high !== undefined && !(growth > limits.growth)
              ? `the loss reached ${show(high.value)} at step ${high.step} (ceiling ${show(limits.ceiling)})`
              : `the loss grew ${show(growth)}×, from ${show(start)} at the start to ${show(trend.late)} (peak ${show(peak.value)} at step ${peak.step})`,
          remedy: {
            gradscope:
              'lower the learning rate (e.g. --learning-rate 1e-3) and clip with --clip-global-norm 1',
            general:
              'lower the learning rate 10×, clip the global gradient norm, or add a learning-rate warm-up',
          },
        }),
      ],
    };
  },
};
