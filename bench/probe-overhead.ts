/**
 * The probes' cost: epoch time with probes over epoch time without, on the reference model.
 *
 * Each epoch trains a fresh model (same seed). After one warm-up epoch, every configuration is
 * measured `repeats` times as a pair (bare epoch, instrumented epoch) run back to back, and the
 * median of the pairs' ratios is reported. Histograms go into a MemorySink, which buckets them on
 * the spot: their computation is included.
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
  /** Loss, gradient/weight/global/signal norms, update ratios and non-finite counts, every step. */
  normsEveryStep: number;
  /** Those plus activation statistics and an element trajectory, every step; no histograms. */
  scalarsEveryStep: number;
  /** Histograms of weights, gradients and activations every 100 steps, nothing else. */
  histogramsEvery100: number;
  /** The default intervals (DEFAULT_INTERVALS in src/probe/intervals.ts). */
  defaults: number;
}

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

const CONFIGS: Readonly<Record<keyof ProbeOverhead, ProbeIntervals>> = {
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
  const probes = (every: ProbeIntervals): Callback[] => [
    new GradientProbes({ sink: new MemorySink(), every, elements: ['dense_1/kernel[0,0]'] }),
  ];
  train([]);
  const ratios = new Map<keyof ProbeOverhead, number[]>();
  for (let r = 0; r < repeats; r++) {
    for (const name of Object.keys(CONFIGS) as (keyof ProbeOverhead)[]) {
      // Bare and instrumented epochs run back to back, in alternating order, so both see the
      // same machine load; the median over the pairs discards the pairs a hiccup split.
      let bare: number;
      let probed: number;
      if (r % 2 === 0) {
        bare = train([]);
        probed = train(probes(CONFIGS[name]));
      } else {
        probed = train(probes(CONFIGS[name]));
        bare = train([]);
      }
      ratios.set(name, [...(ratios.get(name) ?? []), probed / bare]);
      // Lets a caller's pending I/O (progress output) through between epochs.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const median = (name: keyof ProbeOverhead): number => {
    const sorted = [...ratios.get(name)!].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  return {
    normsEveryStep: median('normsEveryStep'),
    scalarsEveryStep: median('scalarsEveryStep'),
    histogramsEvery100: median('histogramsEvery100'),
    defaults: median('defaults'),
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
