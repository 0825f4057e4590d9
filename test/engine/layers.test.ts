/** Layer behaviour: Keras names, shapes, activation values, BatchNormalization statistics, Dropout. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { activations, elementwiseFunctions } from '../../src/engine/activations.js';
import { Activation } from '../../src/engine/layers/activation.js';
import { BatchNormalization } from '../../src/engine/layers/batch-normalization.js';
import { Dense } from '../../src/engine/layers/dense.js';
import { Dropout } from '../../src/engine/layers/dropout.js';
import { Flatten } from '../../src/engine/layers/flatten.js';
import { SimpleRNN } from '../../src/engine/layers/simple-rnn.js';
import { RandomState } from '../../src/engine/random.js';
import { Sequential } from '../../src/engine/sequential.js';
import { Tensor } from '../../src/engine/tensor.js';
import { assertClose, built, normalValues, randomTensor, stepInfo } from './support.js';

test('layers get Keras default names per model, and variables <layer>/<weight>', () => {
  const model = new Sequential({
    layers: [
      new Dense({ units: 4, inputShape: [3] }),
      new Dense({ units: 4 }),
      new BatchNormalization(),
      new Dense({ units: 4 }),
      new Dropout({ rate: 0.5 }),
      new Dense({ units: 2, name: 'hidden' }),
    ],
  }).build();
  const names = model.layers.map((l) => l.name);
  assert.deepEqual(names, [
    'dense_1',
    'dense_2',
    'batch_normalization_1',
    'dense_3',
    'dropout_1',
    'hidden',
  ]);
  assert.deepEqual(
    model.layers[2].variables.map((v) => v.name),
    ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w) => `batch_normalization_1/${w}`),
  );
  assert.deepEqual(
    model.layers[0].variables.map((v) => v.name),
    ['dense_1/kernel', 'dense_1/bias'],
  );
  assert.equal(model.layer('hidden').variable('kernel').name, 'hidden/kernel');
  const other = new Sequential({ layers: [new Dense({ units: 1, inputShape: [2] })] });
  assert.equal(other.layers[0].name, 'dense_1', 'numbering restarts in each model');
});

test('output shapes, weight shapes and parameter counts', () => {
  const dense = built(new Dense({ units: 5 }), [3]);
  assert.deepEqual([dense.outputShape, dense.kernel.shape, dense.bias!.shape], [[5], [3, 5], [5]]);
  assert.equal(dense.countParams(), 20);
  const noBias = built(new Dense({ units: 5, useBias: false }), [7, 3]);
  assert.deepEqual([noBias.outputShape, noBias.bias, noBias.countParams()], [[7, 5], null, 15]);
  assert.deepEqual(built(new Flatten(), [2, 3, 4]).outputShape, [24]);
  assert.deepEqual(built(new Activation({ activation: 'relu' }), [2, 3]).outputShape, [2, 3]);
  const rnn = built(new SimpleRNN({ units: 3 }), [6, 2]);
  assert.deepEqual([rnn.outputShape, rnn.countParams()], [[3], 6 + 9 + 3]);
  assert.deepEqual(
    built(new SimpleRNN({ units: 3, returnSequences: true }), [6, 2]).outputShape,
    [6, 3],
  );
  const bn = built(new BatchNormalization(), [4]);
  assert.deepEqual([bn.countParams(), bn.trainableVariables.length], [16, 2]);
});

test('Dense over a 3-d input applies x·W + b to every row', () => {
  const layer = built(new Dense({ units: 2, biasInitializer: 'ones' }), [3, 4]);
  const x = randomTensor(new RandomState(1), [2, 3, 4]);
  const y = layer.forward(x, stepInfo(false));
  assert.deepEqual(y.shape, [2, 3, 2]);
  const W = layer.kernel.value.toArray(),
    xs = x.toArray(),
    expected: number[] = [];
  for (let r = 0; r < 6; r++) {
    for (let j = 0; j < 2; j++) {
      let sum = 1;
      for (let k = 0; k < 4; k++) sum += xs[r * 4 + k] * W[k * 2 + j];
      expected.push(sum);
    }
  }
  assertClose(y.toArray(), expected, { rtol: 1e-6, atol: 1e-6 }, 'dense 3-d');
});

// Reference values from Python's math module (math.erf for gelu, Keras' SELU constants) and a
// float64 numpy softmax, at x = −2, −0.5, 0, 0.7, 3.
const ACTIVATION_VALUES = {
  sigmoid: [0.11920292202211755, 0.3775406687981454, 0.5, 0.6681877721681662, 0.9525741268224334],
  tanh: [-0.9640275800758169, -0.46211715726000974, 0, 0.6043677771171636, 0.9950547536867305],
  relu: [0, 0, 0, 0.7, 3],
  leaky_relu: [-0.4, -0.1, 0, 0.7, 3],
  elu: [-0.8646647167633873, -0.3934693402873666, 0, 0.7, 3],
  selu: [-1.520166468595695, -0.6917581878028713, 0, 0.7354906911488363, 3.1521029620664414],
  gelu: [-0.04550026389635842, -0.15426876936299344, 0, 0.5306254434438489, 2.99595030590511],
  softmax: [
    0.005676540418469959, 0.025440489150789083, 0.041944275599921796, 0.08446539855223038,
    0.8424732962785888,
  ],
} as const;

for (const [name, expected] of Object.entries(ACTIVATION_VALUES)) {
  test(`Activation(${name}) values match the reference`, () => {
    const layer = built(
      new Activation({ activation: name as keyof typeof ACTIVATION_VALUES }),
      [5],
    );
    const y = layer.forward(Tensor.fromArray([1, 5], [-2, -0.5, 0, 0.7, 3]), stepInfo(false));
    assertClose(y.toArray(), expected, { rtol: 1e-6, atol: 1e-7 }, name);
  });
}

test('BatchNormalization: moving statistics follow momentum 0.99 and drive inference', () => {
  const layer = built(new BatchNormalization(), [2]);
  layer.gamma!.value.data.set([2, 0.5]);
  layer.beta!.value.data.set([0.1, -0.3]);
  const batches = [0, 1].map((s) =>
    Tensor.fromArray([5, 2], normalValues(new RandomState(s), 10, 3)),
  );
  const mean = [0, 0];
  const variance = [1, 1];
  for (const x of batches) {
    layer.forward(x, stepInfo(true));
    const xs = x.toArray();
    for (let j = 0; j < 2; j++) {
      const col = [0, 1, 2, 3, 4].map((r) => xs[r * 2 + j]);
      const m = col.reduce((a, b) => a + b) / 5;
      const v = col.reduce((a, b) => a + (b - m) ** 2, 0) / 5; // biased, as Keras
      mean[j] = 0.99 * mean[j] + 0.01 * m;
      variance[j] = 0.99 * variance[j] + 0.01 * v;
    }
  }
  const tol = { rtol: 1e-6, atol: 1e-7 };
  assertClose(layer.movingMean.value.toArray(), mean, tol, 'moving_mean');
  assertClose(layer.movingVariance.value.toArray(), variance, tol, 'moving_variance');
  const x = Tensor.fromArray([1, 2], [1.5, -2]);
  const y = layer.forward(x, stepInfo(false)).toArray();
  const expected = [0, 1].map(
    (j) => [2, 0.5][j] * ((x.data[j] - mean[j]) / Math.sqrt(variance[j] + 1e-3)) + [0.1, -0.3][j],
  );
  assertClose(y, expected, { rtol: 1e-5, atol: 1e-6 }, 'inference output');
  assertClose(layer.movingMean.value.toArray(), mean, tol, 'inference leaves moving_mean');
});

test('BatchNormalization (training) normalizes each feature to mean 0, variance 1', () => {
  const layer = built(new BatchNormalization({ epsilon: 1e-6 }), [3]);
  const y = layer.forward(randomTensor(new RandomState(4), [50, 3], 5), stepInfo(true)).toArray();
  for (let j = 0; j < 3; j++) {
    const col = y.filter((_, i) => i % 3 === j);
    const m = col.reduce((a, b) => a + b) / col.length;
    const v = col.reduce((a, b) => a + (b - m) ** 2, 0) / col.length;
    assert.ok(
      Math.abs(m) < 1e-5 && Math.abs(v - 1) < 1e-4,
      `feature ${j}: mean ${m}, variance ${v}`,
    );
  }
});

test('Dropout: inverted scaling in training, identity in inference', () => {
  const rate = 0.3,
    n = 10000;
  const layer = built(new Dropout({ rate }), [100]);
  const x = Tensor.fromArray([100, 100], new Float32Array(n).fill(1));
  const y = layer.forward(x, stepInfo(true, 3)).toArray();
  const scale = Math.fround(1 / (1 - rate));
  assert.ok(
    y.every((v) => v === 0 || v === scale),
    'each output is 0 or x/(1 − rate)',
  );
  const dropped = y.filter((v) => v === 0).length / n;
  // Binomial standard deviation √(0.3·0.7/10⁴) ≈ 0.0046: four of them.
  assert.ok(Math.abs(dropped - rate) < 0.0184, `dropped fraction ${dropped}`);
  const g = layer.backward(Tensor.fromArray([100, 100], new Float32Array(n).fill(2)), true)!;
  assert.deepEqual(
    g.toArray(),
    y.map((v) => 2 * v),
    'backward applies the same mask',
  );
  assert.equal(layer.forward(x, stepInfo(false)), x, 'inference passes the input through');
});

test('Dropout masks are reproducible from the seed and differ between seeds', () => {
  const layer = built(new Dropout({ rate: 0.5 }), [64]);
  const x = Tensor.fromArray([1, 64], new Float32Array(64).fill(1));
  const mask = (seed: number) => layer.forward(x, stepInfo(true, seed)).toArray();
  assert.deepEqual(mask(7), mask(7));
  assert.notDeepEqual(mask(7), mask(8));
});

test('relu lets NaN through (as TensorFlow), so a NaN weight is not hidden behind a zero', () => {
  const z = new Float32Array([-1, NaN, 2]);
  const a = new Float32Array(3);
  activations.relu.forward(z, a, 1, 3);
  assert.deepEqual(Array.from(a), [0, NaN, 2]);
  assert.ok(Number.isNaN(elementwiseFunctions.relu.output(NaN)));
});
