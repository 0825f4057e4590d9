/**
 * Dead ReLU units and saturated sigmoid/tanh units on constructed inputs whose answer is known,
 * through a probed `fit`, plus the pure statistics on literal data.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { arrayDataset } from '../../src/engine/dataset.js';
import type { ActivationName } from '../../src/engine/activations.js';
import { Tensor } from '../../src/engine/tensor.js';
import {
  deadFraction,
  meanAndStd,
  saturatedFraction,
  tensorMeansAndStds,
} from '../../src/probe/activation-stats.js';
import { GradientProbes } from '../../src/probe/gradient-probes.js';
import { assertNear, byStep, denseModel, memoryRun, readRun } from './support.js';
import type { RecordedRun } from './support.js';

/** One Dense layer with the given kernel and bias, probed over one full-batch step on `x`. */
async function probeOneLayer(
  activation: ActivationName,
  kernel: number[],
  bias: number[],
  x: number[],
): Promise<RecordedRun> {
  const units = bias.length;
  const inputs = kernel.length / units;
  const rows = x.length / inputs;
  const model = denseModel(inputs, [{ units, activation }]);
  model.layer('dense_1').variable('kernel').value.data.set(kernel);
  model.layer('dense_1').variable('bias').value.data.set(bias);
  const data = arrayDataset(x, [inputs], new Array<number>(rows * units).fill(0.5), units);
  const { provider, sink } = memoryRun();
  model.fit(data, { batchSize: rows, shuffle: false, callbacks: [new GradientProbes({ sink })] });
  return readRun(provider);
}

test('dead fraction counts ReLU units that are 0 for every sample of the batch', async () => {
  // x ≥ 0. Unit 0: x0 + x1 > 0 (alive); unit 1: −x0 − x1 − 0.5 < 0 (dead); unit 2: x0 − x1,
  // positive for the second sample only (alive, though 0 for two of three); unit 3: −x0 (dead).
  const kernel = [1, -1, 1, -1, 1, -1, -1, 0];
  const records = await probeOneLayer('relu', kernel, [0, -0.5, 0, 0], [1, 2, 2, 1, 0.5, 0.5]);
  assert.deepEqual([...byStep(records, 'dead_fraction/dense_1')], [[0, 0.5]]);
});

const identity4 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

/** Share of z whose derivative f'(z), computed from z itself, is below 0.01. */
function expectedSaturation(z: number[], derivative: (z: number) => number): number {
  return z.filter((value) => derivative(value) < 0.01).length / z.length;
}

test("saturated fraction: sigmoid units with σ'(z) < 0.01", async () => {
  const z = [10, 0, -10, 4, 6, -6, 1, -4];
  const sigmoidDer = (v: number) => Math.exp(-v) / (1 + Math.exp(-v)) ** 2;
  assert.equal(expectedSaturation(z, sigmoidDer), 0.5); // ±10 and ±6
  const records = await probeOneLayer('sigmoid', identity4, [0, 0, 0, 0], z);
  assert.deepEqual([...byStep(records, 'saturated_fraction/dense_1')], [[0, 0.5]]);
});

test("saturated fraction: tanh units with tanh'(z) = 1/cosh²(z) < 0.01", async () => {
  const z = [3.5, 0.5, -3.5, 2.5, 0, -5, 1, 2];
  const expected = expectedSaturation(z, (v) => 1 / Math.cosh(v) ** 2);
  assert.equal(expected, 3 / 8);
  const records = await probeOneLayer('tanh', identity4, [0, 0, 0, 0], z);
  assert.deepEqual([...byStep(records, 'saturated_fraction/dense_1')], [[0, expected]]);
});

// numpy 2.4: a = [0.25, -1.5, 3, 0.125, 2, -0.5]; a.mean() = 0.5625, a.std() (ddof 0).
test('meanAndStd is the mean and the population std', () => {
  const { mean, std } = meanAndStd(Float32Array.from([0.25, -1.5, 3, 0.125, 2, -0.5]));
  assert.equal(mean, 0.5625);
  assertNear(std, 1.5099496404405899, 1e-15, 'std');
  assert.deepEqual(meanAndStd([]), { mean: NaN, std: NaN });
});

test('deadFraction and saturatedFraction on literal rows', () => {
  // 3 rows × 3 units: unit 1 is 0 in every row.
  assert.equal(deadFraction([0, 0, 1, 2, 0, 0, 0, 0, 3], 3), 1 / 3);
  // sigmoid threshold a(1 − a) < 0.01 ⇔ a < 0.010102 or a > 0.989898.
  assert.equal(saturatedFraction([0.0101, 0.0102, 0.9898, 0.99], 'sigmoid'), 0.5);
  // tanh threshold 1 − a² < 0.01 ⇔ |a| > 0.994987.
  assert.equal(saturatedFraction([-0.995, 0.9949, 0.99499, 0], 'tanh'), 0.5);
});

/** A seeded sequence in [0, 1) (a linear congruential generator), so failures reproduce. */
function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38];

test('tensorMeansAndStds gives meanAndStd of each tensor to the last bit, in groups of any size', () => {
  for (let seed = 1; seed <= 60; seed++) {
    const next = uniform(seed);
    const count = 1 + (seed % 9);
    // Lengths around the kernel's groups of 4 values, tensors of unequal lengths, the layers'.
    const lengths = Array.from({ length: count }, () =>
      next() < 0.3 ? Math.floor(next() * 9) : next() < 0.5 ? 1024 : Math.floor(next() * 300),
    );
    const scale = 10 ** Math.floor(next() * 12 - 6);
    const arrays = lengths.map((length) => {
      const constant = next() < 0.1;
      return Float32Array.from({ length }, () => {
        const r = next();
        if (constant) return scale;
        if (r < 0.02) return SPECIALS[Math.floor(next() * SPECIALS.length)];
        return r < 0.3 ? 0 : (next() - 0.3) * scale;
      });
    });
    const tensors = arrays.map((values) => Tensor.fromArray([values.length], values));
    const got = tensorMeansAndStds(tensors);
    arrays.forEach((values, k) => {
      const want = meanAndStd(values);
      const label = `seed ${seed}, tensor ${k} of ${values.length}`;
      assert.ok(Object.is(got[k].mean, want.mean) && Object.is(got[k].std, want.std), label);
    });
    for (const tensor of tensors) tensor.dispose();
  }
});
