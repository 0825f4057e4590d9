/**
 * `loss_oscillating`: a training loss that jumps up and down instead of settling.
 *
 * Over the second half of the loss points, the spread of the loss around its linear trend
 * (population std of the residuals) over the mean loss of the first 10%: batch-to-batch noise
 * shrinks with the loss, so a healthy run ends far below 1; one whose learning rate is too high
 * keeps jumping back towards where it started.
 * - spread 0.15: above it (AUTOTRAINER's "unstable training" names the check; gradscope zoo:
 *   healthy runs end below 0.07, runs with too high an Adam rate at 0.17 and above);
 * - minPoints 20.
 */
import type { Rule } from '../rule.js';
import { verdictOf } from '../rule.js';
import { round, show } from '../series.js';
import { lossTrend } from './loss-trend.js';

/** Population std of `y` around its least-squares line over `x`. */
function detrendedStd(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (y[i] - my - slope * (x[i] - mx)) ** 2;
  return Math.sqrt(squares / n);
}

export const lossOscillating: Rule = {
  name: 'loss_oscillating',
  summary: 'the training loss jumps up and down instead of settling',
  thresholds: {
    spread: {
      value: 0.15,
      anchor: 'AUTOTRAINER "unstable training"; value: gradscope zoo',
      meaning: 'late spread around the trend over the early loss, above this',
    },
    minPoints: { value: 20, anchor: 'gradscope', meaning: 'finite loss points needed' },
  },
  check(run, limits) {
    const trend = lossTrend(run, limits.minPoints);
    if (typeof trend === 'string') return { skipped: trend };
    const late = trend.points.slice(Math.floor(trend.points.length / 2));
    const std = detrendedStd(
      late.map((p) => p.step),
      late.map((p) => p.value),
    );
    const spread = std / Math.abs(trend.early);
    // A loss that grows is loss_diverging's: a trend line does not fit exponential growth.
    const diverging = trend.late > 2 * trend.early;
    if (!(spread > limits.spread) || diverging) return { verdicts: [] };
    return {
      verdicts: [
        verdictOf(this, run, {
          severity: 'warning',
          layer: null,
          firstStep: late[0].step,
          lastStep: late[late.length - 1].step,
          evidence: {
            spread: round(spread),
            threshold: limits.spread,
            lateStd: round(std),
            earlyLoss: round(trend.early),
            tag: trend.tag,
          },
          message: `in the second half of training the loss swings by ${show(std)} around its trend, ${show(100 * spread)}% of the early loss ${show(trend.early)}`,
          remedy: {
            gradscope: 'lower the learning rate (e.g. --learning-rate 1e-3) or raise --batch-size',
            general:
              'lower the learning rate, use a larger batch, or a decaying learning-rate schedule',
          },
        }),
      ],
    };
  },
};
