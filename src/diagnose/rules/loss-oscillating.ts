/**
 * `loss_oscillating`: a training loss that keeps climbing back up instead of settling.
 *
 * Judged on the smoothed loss, as AUTOTRAINER (ICSE 2021) judges "unstable" training on the
 * per-epoch history with a tolerance, never on single batches: the loss points are averaged
 * over `windows` windows of consecutive points (an epoch-level `epoch_loss` is already such an
 * average), and over the second half of them the rises from one window to the next are summed
 * and compared with the level of the loss there. Minibatch noise averages out in the windows
 * (Fashion-MNIST, batch 32, 18,700 steps: one batch's loss varies by 43% of the level from
 * step to step, the windows of 31 logged points by a total of 0.26), while a loss pushed
 * around by too large a step climbs back again and again (its held-out loss, which no batch
 * sampling moves, doubles between epochs in the zoo's runs).
 * - rebound 0.5: the summed rises of the late windows over their mean level, above it
 *   (gradscope zoo: oscillating runs, Adam at 50–120× its default rate, 0.69 and above; the
 *   healthy zoo runs 0.00; the seed's Fashion-MNIST, adding-problem and Titanic runs at most
 *   0.26);
 * - windows 12: windows the loss points are averaged over (gradscope; about one per epoch of
 *   the zoo's runs);
 * - minPoints 12: one point per window at least (then the windows are the points themselves,
 *   as for a Keras epoch log).
 */
import type { Rule } from '../rule.js';
import { verdictOf } from '../rule.js';
import { mean, round, show } from '../series.js';
import { lossTrend } from './loss-trend.js';

interface Window {
  firstStep: number;
  lastStep: number;
  mean: number;
}

/** Points per window for about `count` windows of equal length over `length` points. */
function windowSize(length: number, count: number): number {
  return Math.max(1, Math.floor(length / count));
}

/** Means of windows of `size` points; leftover points at the start are left out. */
function windowMeans(steps: Float64Array, values: Float64Array, size: number): Window[] {
  const windows: Window[] = [];
  for (let end = values.length; end - size >= 0; end -= size) {
    windows.push({
      firstStep: steps[end - size],
      lastStep: steps[end - 1],
      mean: mean(values.subarray(end - size, end)),
    });
  }
  return windows.reverse();
}

export const lossOscillating: Rule = {
  name: 'loss_oscillating',
  summary: 'the smoothed training loss keeps climbing back up instead of settling',
  thresholds: {
    rebound: {
      value: 0.5,
      anchor: 'AUTOTRAINER "unstable" (judged on epoch-level history); value: gradscope zoo',
      meaning: 'summed late rises of the window means over their level, above this',
    },
    windows: { value: 12, anchor: 'gradscope', meaning: 'windows the loss is averaged over' },
    minPoints: { value: 12, anchor: 'gradscope', meaning: 'finite loss points needed' },
  },
  check(run, limits) {
    const trend = lossTrend(run, Math.max(limits.minPoints, 2));
    if (typeof trend === 'string') return { skipped: trend };
    const size = windowSize(trend.values.length, Math.max(2, Math.round(limits.windows)));
    const windows = windowMeans(trend.steps, trend.values, size);
    const half = Math.floor(windows.length / 2);
    const late = windows.slice(half);
    let rises = 0;
    let largest = { rise: 0, at: late[0] };
    for (let i = half; i < windows.length; i++) {
      const rise = windows[i].mean - windows[i - 1].mean;
      if (rise > 0) rises += rise;
      if (rise > largest.rise) largest = { rise, at: windows[i] };
    }
    const level = Math.abs(mean(late.map((w) => w.mean)));
    const rebound = level > 0 ? rises / level : 0;
    // A loss that grows is loss_diverging's.
    const diverging = trend.late > 2 * trend.early;
    if (!(rebound > limits.rebound) || diverging) return { verdicts: [] };
    return {
      verdicts: [
        verdictOf(this, run, {
          severity: 'warning',
          layer: null,
          firstStep: late[0].firstStep,
          lastStep: late[late.length - 1].lastStep,
          evidence: {
            rebound: round(rebound),
            threshold: limits.rebound,
            lateLevel: round(level),
            largestRise: round(largest.rise),
            largestRiseStep: largest.at.lastStep,
            windows: windows.length,
            pointsPerWindow: size,
            tag: trend.tag,
          },
          message: `in the second half of training the loss, averaged over windows of ${size} point(s), climbed back up by a total of ${show(rises)}, ${show(100 * rebound)}% of its level ${show(level)} there (largest rise ${show(largest.rise)}, in the window ending at step ${largest.at.lastStep})`,
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
