/**
 * How often each probe group records: every N steps, once per epoch (at its last batch), or
 * never. A group records at step s when s is a multiple of N (so batch-side values at s and
 * weight-side values at s + 1 line up on the same steps), and always records the initial weights.
 * An epoch cut short by `maxSteps` or `stopTraining` has no last batch: 'epoch' groups record
 * nothing for it.
 */
import type { StepContext } from '../engine/callbacks.js';
import { ValueError } from '../engine/errors.js';

export type Interval = number | 'epoch' | 'never';

export interface ProbeIntervals {
  /** `loss`. Defaults to 1 (every step). */
  loss?: Interval;
  /** Gradient and weight norms, global norms, non-finite counts. Defaults to 1. */
  norms?: Interval;
  /** Update-to-weight ratios. Defaults to 1. */
  updates?: Interval;
  /** Backprop signal norms ‖∂L/∂a‖. Defaults to 1. */
  signals?: Interval;
  /** Activation mean, std, saturated and dead fractions. Defaults to 10. */
  activations?: Interval;
  /** Histograms of weights, gradients and activations. Defaults to 100. */
  histograms?: Interval;
  /** Trajectories of selected weight elements. Defaults to 1. */
  elements?: Interval;
}

export type ProbeGroup = keyof ProbeIntervals;

/**
 * Chosen so the defaults cost the reference model about as much as the norms alone. Per step,
 * the norms read every gradient and every weight once (two passes over ~27k floats, most of the
 * probes' cost), updates reuse that weight pass, signals read one small tensor per layer. The
 * activation statistics read each layer's output (~9k floats, two passes) for values that move
 * slowly, so every 10 steps; a histogram reads its tensor twice and allocates its buckets, so
 * every 100 steps.
 */
export const DEFAULT_INTERVALS: Readonly<Required<ProbeIntervals>> = {
  loss: 1,
  norms: 1,
  updates: 1,
  signals: 1,
  activations: 10,
  histograms: 100,
  elements: 1,
};

/** Every group off: what a caller that wants a few groups spreads its own over. */
export const NO_PROBES: Readonly<Required<ProbeIntervals>> = {
  loss: 'never',
  norms: 'never',
  updates: 'never',
  signals: 'never',
  activations: 'never',
  histograms: 'never',
  elements: 'never',
};

/** The intervals of `every` over the defaults, validated. */
export function resolveIntervals(every: ProbeIntervals = {}): Required<ProbeIntervals> {
  const resolved = { ...DEFAULT_INTERVALS };
  for (const group of Object.keys(every) as ProbeGroup[]) {
    if (!(group in DEFAULT_INTERVALS)) {
      throw new ValueError(
        `GradientProbes: unknown interval group '${group}'. ` +
          `Expected one of: ${Object.keys(DEFAULT_INTERVALS).join(', ')}`,
      );
    }
    const interval = every[group];
    if (interval === undefined) continue;
    const valid =
      interval === 'epoch' || interval === 'never' || (Number.isInteger(interval) && interval > 0);
    if (!valid) {
      throw new ValueError(
        `GradientProbes: every.${group} must be a positive integer, 'epoch' or 'never'. ` +
          `Received: every.${group}=${String(interval)}`,
      );
    }
    resolved[group] = interval;
  }
  return resolved;
}

/**
 * Whether a group with `interval` records in this batch. `recordStep` is the step its records
 * would carry (s for batch-side values, s + 1 for weight-side ones).
 */
export function isDue(
  interval: Interval,
  recordStep: number,
  context: Pick<StepContext, 'batch' | 'batchesPerEpoch'>,
): boolean {
  if (interval === 'never') return false;
  if (interval === 'epoch') return context.batch === context.batchesPerEpoch - 1;
  return recordStep % interval === 0;
}
