/** Shared helpers for the probe tests: tiny models, plain reference loops, series lookups. */
import assert from 'node:assert/strict';
import type { Callback } from '../../src/engine/callbacks.js';
import { arrayDataset } from '../../src/engine/dataset.js';
import type { Dataset } from '../../src/engine/dataset.js';
import { Dense } from '../../src/engine/layers/dense.js';
import type { DenseArgs } from '../../src/engine/layers/dense.js';
import { SGD } from '../../src/engine/optimizers/index.js';
import type { Optimizer } from '../../src/engine/optimizers/index.js';
import { Sequential } from '../../src/engine/sequential.js';
import { MemoryProvider } from '../../src/log/memory-provider.js';
import type { MemoryRun } from '../../src/log/memory-provider.js';
import type { Bucket } from '../../src/log/points.js';

/** Σx² by the plainest loop, in float64: the tests' reference for every norm. */
export function plainSquares(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return sum;
}

/**
 * rtol of a recorded gradient norm (or its square) against `plainSquares`: backward measures a
 * kernel gradient as it writes it, in float32 squares summed in groups of 8 (≤ 2.4e-7 relative
 * on Σx², as the SIMD sum-of-squares kernel, kernels/sum-of-squares.ts), and the record rounds
 * to float32 (≤ 6e-8).
 */
export const MEASURED_RTOL = 4e-7;

export function assertNear(actual: number, expected: number, rtol: number, label: string): void {
  assert.ok(
    Math.abs(actual - expected) <= rtol * Math.abs(expected) + 1e-12,
    `${label}: got ${actual}, expected ${expected} (rtol ${rtol})`,
  );
}

/** A Sequential of Dense layers on samples of `inputSize` features, compiled with mse. */
export function denseModel(
  inputSize: number,
  layers: DenseArgs[],
  optimizer: Optimizer = new SGD({ learningRate: 0.1 }),
  seed = 7,
): Sequential {
  const model = new Sequential({
    seed,
    layers: layers.map(
      (args, i) => new Dense(i === 0 ? { ...args, inputShape: [inputSize] } : args),
    ),
  });
  return model.compile({ optimizer, loss: 'mean_squared_error' });
}

/** `count` samples of `inputSize` features and `outputSize` targets, from a fixed formula. */
export function formulaDataset(count: number, inputSize: number, outputSize: number): Dataset {
  const x = Array.from({ length: count * inputSize }, (_, i) => Math.sin(1.3 * i + 0.4));
  const y = Array.from({ length: count * outputSize }, (_, i) => Math.cos(0.7 * i));
  return arrayDataset(x, [inputSize], y, outputSize);
}

/** The three-layer model most tests probe: relu, tanh, sigmoid. */
export function threeLayerModel(optimizer?: Optimizer): Sequential {
  return denseModel(
    3,
    [
      { units: 5, activation: 'relu' },
      { units: 4, activation: 'tanh' },
      { units: 2, activation: 'sigmoid' },
    ],
    optimizer,
  );
}

/** The run name the probe tests write to. */
export const RUN = 'probed';

/** A fresh in-memory run: probes write into `sink`; the test reads it back through `provider`. */
export function memoryRun(): { provider: MemoryProvider; sink: MemoryRun } {
  const provider = new MemoryProvider();
  return { provider, sink: provider.run(RUN) };
}

/** What a run holds, read once through the provider, for synchronous assertions. */
export interface RecordedRun {
  /** Tags that hold scalars, sorted. */
  scalarTags(): string[];
  series(tag: string): { step: number; value: number }[];
  histogramSeries(tag: string): { step: number; buckets: Bucket[] }[];
}

/** Reads every tag of the run `RUN` through `provider` (records hold float32, as on disk). */
export async function readRun(provider: MemoryProvider): Promise<RecordedRun> {
  const tags = await provider.listTags(RUN);
  const scalars = new Map<string, { step: number; value: number }[]>();
  for (const tag of tags.scalars) {
    const points = await provider.readScalars(RUN, tag);
    scalars.set(
      tag,
      points.map(({ step, value }) => ({ step, value })),
    );
  }
  const histograms = new Map<string, { step: number; buckets: Bucket[] }[]>();
  for (const tag of tags.histograms) {
    const points = await provider.readHistograms(RUN, tag);
    histograms.set(
      tag,
      points.map(({ step, buckets }) => ({ step, buckets })),
    );
  }
  return {
    scalarTags: () => [...tags.scalars],
    series: (tag) => scalars.get(tag) ?? [],
    histogramSeries: (tag) => histograms.get(tag) ?? [],
  };
}

/**
 * `actual`, a recorded value, is the float32 rounding of `expected` within `rtol`: records are
 * stored as float32, as event files store them.
 */
export function assertRecorded(actual: number, expected: number, rtol: number, label: string) {
  assertNear(actual, Math.fround(expected), rtol, label);
}

/** The values of `tag`, by step; fails when a step repeats. */
export function byStep(sink: RecordedRun, tag: string): Map<number, number> {
  const series = new Map<number, number>();
  for (const { step, value } of sink.series(tag)) {
    assert.ok(!series.has(step), `${tag}: step ${step} recorded twice`);
    series.set(step, value);
  }
  return series;
}

export function steps(sink: RecordedRun, tag: string): number[] {
  return sink.series(tag).map((point) => point.step);
}

/** A callback that runs `f` after each optimizer step. */
export function afterEachStep(f: () => void): Callback {
  return { onBatchEnd: f };
}
