/**
 * The probes' cost: epoch time with probes over epoch time without, on the reference model.
 *
 * Each epoch trains a fresh model (same seed). After one warm-up epoch, every configuration is
 * measured `repeats` times as a pair (bare epoch, instrumented epoch) run back to back, and the
 * median of the pairs' ratios is reported, with the share of the instrumented epochs spent inside
 * the probes as a check that other load on the machine cannot skew. Histograms go into a
 * MemorySink, which buckets them on the spot: their computation is included.
 *
 * Run alone: node dist/bench/probe-overhead.js [samples]
 */
import { fileURLToPath } from 'node:url';
import { imageDataset } from '../src/data/image-dataset.js';
import type { ImageSet } from '../src/data/image-set.js';
import type { Callback } from '../src/engine/callbacks.js';
import { buildFashionModel } from '../src/experiments/fashion-model.js';
import { GradientProbes } from '../src/probe/gradient-probes.js';
import type { ProbeIntervals } from '../src/probe/intervals.js';
import { MemorySink } from '../src/probe/sink.js';

/** Trains one epoch with `callbacks` and returns its duration in seconds. */
export type TrainEpoch = (callbacks: Callback[]) => number;

/** Instrumented / bare epoch time per configuration. */
export interface OverheadRatios {
  /** Loss, gradient/weight/global/signal norms, update ratios and non-finite counts, every step. */
  normsEveryStep: number;
  /** Those plus activation statistics and an element trajectory, every step; no histograms. */
  scalarsEveryStep: number;
  /** Histograms of weights, gradients and activations every 100 steps, nothing else. */
  histogramsEvery100: number;
  /** The default intervals (DEFAULT_INTERVALS in src/probe/intervals.ts). */
  defaults: number;
}

export interface ProbeOverhead extends OverheadRatios {
  /**
   * epoch / (epoch − time inside the probes' callbacks), from the instrumented epochs alone: far
   * less sensitive to other load on the machine, but blind to indirect costs (cache, GC).
   */
  inCallbacks: OverheadRatios;
}

type Config = keyof OverheadRatios;

/** Samples per measured epoch: 500 steps of 32, about a quarter of a Fashion-MNIST epoch. */
export const DEFAULT_OVERHEAD_SAMPLES = 16000;

const NEVER: Required<ProbeIntervals> = {
  loss: 'never',
  norms: 'never',
  updates: 'never',
  signals: 'never',
  activations: 'never',
  histograms: 'never',
  elements: 'never',
};

const CONFIGS: Readonly<Record<Config, ProbeIntervals>> = {
  normsEveryStep: { ...NEVER, loss: 1, norms: 1, updates: 1, signals: 1 },
  scalarsEveryStep: {
    loss: 1,
    norms: 1,
    updates: 1,
    signals: 1,
    activations: 1,
    elements: 1,
    histograms: 'never',
  },
  histogramsEvery100: { ...NEVER, histograms: 100 },
  defaults: {},
};

/**
 * Ratios instrumented / bare epoch time. `train` defaults to the reference model (relu, Adam,
 * batch 32) on DEFAULT_OVERHEAD_SAMPLES synthetic 28×28 images; timing does not depend on the
 * pixel values.
 */
export async function measureProbeOverhead(
  train: TrainEpoch = referenceEpoch(DEFAULT_OVERHEAD_SAMPLES),
  repeats = 5,
): Promise<ProbeOverhead> {
  const configs = Object.keys(CONFIGS) as Config[];
  const endToEnd = new Map<Config, number[]>(configs.map((name) => [name, []]));
  const inCallbacks = new Map<Config, number[]>(configs.map((name) => [name, []]));
  train([]);
  for (let r = 0; r < repeats; r++) {
    for (const name of configs) {
      const clock = { seconds: 0 };
      const probes = new GradientProbes({
        sink: new MemorySink(),
        every: CONFIGS[name],
        elements: ['dense_1/kernel[0,0]'],
      });
      // Bare and instrumented epochs run back to back, in alternating order, so both see the
      // same machine load; the median over the pairs discards the pairs a hiccup split.
      let bare: number;
      let probed: number;
      if (r % 2 === 0) {
        bare = train([]);
        probed = train([timed(probes, clock)]);
      } else {
        probed = train([timed(probes, clock)]);
        bare = train([]);
      }
      endToEnd.get(name)!.push(probed / bare);
      inCallbacks.get(name)!.push(probed / (probed - clock.seconds));
      // Lets a caller's pending I/O (progress output) through between epochs.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const medians = (ratios: Map<Config, number[]>): OverheadRatios => {
    const entries = configs.map((name) => [name, median(ratios.get(name)!)]);
    return Object.fromEntries(entries) as OverheadRatios;
  };
  return { ...medians(endToEnd), inCallbacks: medians(inCallbacks) };
}

/** `callback`, adding the seconds spent in it to `clock`. */
function timed(callback: Callback, clock: { seconds: number }): Callback {
  const time = (run: () => void): void => {
    const started = performance.now();
    run();
    clock.seconds += (performance.now() - started) / 1000;
  };
  return {
    onTrainBegin: (model) => time(() => callback.onTrainBegin?.(model)),
    onGradients: (context) => time(() => callback.onGradients?.(context)),
    onBatchEnd: (context) => time(() => callback.onBatchEnd?.(context)),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One epoch of the reference model on `samples` pseudo-random images and labels. */
export function referenceEpoch(samples: number): TrainEpoch {
  // A multiplicative hash is random enough for timing and costs nothing to generate.
  const scramble = (i: number): number => Math.imul(i + 1, 2654435761) >>> 24;
  const set: ImageSet = {
    images: Uint8Array.from({ length: samples * 28 * 28 }, (_, i) => scramble(i)),
    labels: Uint8Array.from({ length: samples }, (_, i) => scramble(i + 7) % 10),
    count: samples,
    rows: 28,
    cols: 28,
  };
  const data = imageDataset(set);
  return (callbacks) => {
    const model = buildFashionModel({ activation: 'relu', seed: 0 });
    const started = performance.now();
    model.fit(data, { epochs: 1, batchSize: 32, callbacks });
    return (performance.now() - started) / 1000;
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const samples = Number(process.argv[2] ?? DEFAULT_OVERHEAD_SAMPLES);
  console.log(JSON.stringify(await measureProbeOverhead(referenceEpoch(samples))));
}
