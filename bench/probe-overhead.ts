/**
 * The probes' cost: epoch time with probes over epoch time without, on the reference model.
 *
 * Each configuration trains a fresh model (same seed) for one epoch; bare and instrumented
 * epochs alternate, `repeats` times each after one warm-up, and the fastest of each is compared,
 * so a background hiccup does not count against one side. Histograms go into a MemorySink,
 * which buckets them on the spot: their computation is included.
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

export interface ProbeOverhead {
  /** Every scalar probe (norms, updates, signals, activations, elements) every step, no histograms. */
  normsEveryStep: number;
  /** Histograms of weights, gradients and activations every 100 steps, nothing else. */
  histogramsEvery100: number;
  /** The default intervals (scalars every step, histograms every 100 steps). */
  defaults: number;
}

/** Samples per measured epoch: 500 steps of 32, about a quarter of a Fashion-MNIST epoch. */
export const DEFAULT_OVERHEAD_SAMPLES = 16000;

const NO_SCALARS = {
  loss: 'never',
  norms: 'never',
  updates: 'never',
  signals: 'never',
  activations: 'never',
  elements: 'never',
} as const satisfies ProbeIntervals;

const CONFIGS: Readonly<Record<keyof ProbeOverhead, ProbeIntervals>> = {
  normsEveryStep: { histograms: 'never' },
  histogramsEvery100: { ...NO_SCALARS, histograms: 100 },
  defaults: {},
};

/**
 * Ratios instrumented / bare epoch time. `train` defaults to the reference model (relu, Adam,
 * batch 32) on DEFAULT_OVERHEAD_SAMPLES synthetic 28×28 images; timing does not depend on the
 * pixel values.
 */
export async function measureProbeOverhead(
  train: TrainEpoch = referenceEpoch(DEFAULT_OVERHEAD_SAMPLES),
  repeats = 3,
): Promise<ProbeOverhead> {
  const probes = (every: ProbeIntervals): Callback[] => [
    new GradientProbes({ sink: new MemorySink(), every, elements: ['dense_1/kernel[0,0]'] }),
  ];
  train([]);
  const best = {
    bare: Infinity,
    normsEveryStep: Infinity,
    histogramsEvery100: Infinity,
    defaults: Infinity,
  };
  for (let r = 0; r < repeats; r++) {
    best.bare = Math.min(best.bare, train([]));
    for (const name of Object.keys(CONFIGS) as (keyof ProbeOverhead)[]) {
      best[name] = Math.min(best[name], train(probes(CONFIGS[name])));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return {
    normsEveryStep: best.normsEveryStep / best.bare,
    histogramsEvery100: best.histogramsEvery100 / best.bare,
    defaults: best.defaults / best.bare,
  };
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
