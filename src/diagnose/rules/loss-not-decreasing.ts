/**
 * `loss_not_decreasing`: training that makes no progress.
 *
 * - minDecrease 0.01: the mean loss of the last 10% of points is less than 1% below that of the
 *   first 10% (SageMaker Debugger LossNotDecreasing and DeepDiagnosis "loss not decreasing" name
 *   the check; the value is gradscope zoo's). A loss that grows is `loss_diverging`'s.
 * - minPoints 5: fewer finite loss points and the check is skipped.
 */
import type { Rule } from '../rule.js';
import { verdictOf } from '../rule.js';
import { round, show } from '../series.js';
import { lossTrend } from './loss-trend.js';

export const lossNotDecreasing: Rule = {
  name: 'loss_not_decreasing',
  summary: 'the training loss stays where it started',
  thresholds: {
    minDecrease: {
      value: 0.01,
      anchor: 'SageMaker Debugger LossNotDecreasing; value: gradscope zoo',
      meaning: 'relative decrease, first to last 10%, below this',
    },
    minPoints: { value: 5, anchor: 'gradscope', meaning: 'finite loss points needed' },
  },
  check(run, limits) {
    const trend = lossTrend(run, limits.minPoints);
    if (typeof trend === 'string') return { skipped: trend };
    const decrease = (trend.early - trend.late) / Math.abs(trend.early);
    if (!(decrease < limits.minDecrease) || trend.late > trend.early * 1.1) return { verdicts: [] };
    const { steps } = trend;
    return {
      verdicts: [
        verdictOf(this, run, {
          severity: 'warning',
          layer: null,
          firstStep: steps[0],
          lastStep: steps[steps.length - 1],
          evidence: {
            earlyLoss: round(trend.early),
            lateLoss: round(trend.late),
            relativeDecrease: round(decrease),
            threshold: limits.minDecrease,
            tag: trend.tag,
          },
          message: `the loss went from ${show(trend.early)} to ${show(trend.late)} (${show(100 * decrease)}% lower) over ${steps.length} points`,
          remedy: {
            gradscope:
              'raise the learning rate (e.g. --learning-rate 1e-3) or use --optimizer adam; if gradients vanish, --activation relu',
            general:
              'raise the learning rate (1e-3 is a usual start for Adam), check that the loss depends on the trained parameters and that labels match the outputs',
          },
        }),
      ],
    };
  },
};
