/** Sequential: the glass-box contract, reproducibility, fit/evaluate/predict and callbacks. */
import test from 'node:test';
import assert from 'node:assert/strict';
import type { StepContext } from '../../src/engine/callbacks.js';
import { arrayDataset } from '../../src/engine/dataset.js';
import type { Dataset } from '../../src/engine/dataset.js';
import { BatchNormalization } from '../../src/engine/layers/batch-normalization.js';
import { Dense } from '../../src/engine/layers/dense.js';
import { Dropout } from '../../src/engine/layers/dropout.js';
import { Flatten } from '../../src/engine/layers/flatten.js';
import { losses } from '../../src/engine/losses.js';
import { Adam } from '../../src/engine/optimizers/adam.js';
import type { LossName } from '../../src/engine/losses.js';
import { RandomState } from '../../src/engine/random.js';
import { Sequential } from '../../src/engine/sequential.js';
import { Tensor } from '../../src/engine/tensor.js';
import { assertClose, normalValues } from './support.js';

const TIGHT = { rtol: 1e-5, atol: 1e-6 };

/** n samples of shape [2, 3] whose class (of 3) is the argmax of the row sums. */
function blobs(n: number, seed: number): Dataset {
  const x = normalValues(new RandomState(seed), n * 6);
  const y = Array.from({ length: n }, (_, i) => {
    const sums = [0, 1].map((r) => x[i * 6 + r * 3] + x[i * 6 + r * 3 + 1] + x[i * 6 + r * 3 + 2]);
    return sums[0] > 0.5 ? 0 : sums[1] > 0 ? 1 : 2;
  });
  return arrayDataset(x, [2, 3], y);
}

function classifier(seed = 1, loss: LossName = 'sparse_categorical_crossentropy'): Sequential {
  const model = new Sequential({
    seed,
    layers: [
      new Flatten({ inputShape: [2, 3] }),
      new Dense({ units: 8, activation: 'relu' }),
      new BatchNormalization(),
      new Dense({ units: 6, activation: 'tanh' }),
      new Dropout({ rate: 0.3 }),
      new Dense({ units: 3, activation: loss === 'mean_squared_error' ? 'linear' : 'softmax' }),
    ],
  });
  return model.compile({ optimizer: 'adam', loss });
}

/** ∂L/∂W = xᵀ·∂L/∂z and ∂L/∂b = Σ_rows ∂L/∂z, in float64. */
function denseGrads(layer: Dense): { kernel: number[]; bias: number[] } {
  const x = layer.input!.toArray(),
    dz = layer.preActivationGrad!.toArray();
  const [n, m] = layer.kernel.shape,
    rows = x.length / n;
  const kernel = new Array<number>(n * m).fill(0),
    bias = new Array<number>(m).fill(0);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < m; j++) {
      bias[j] += dz[r * m + j];
      for (let i = 0; i < n; i++) kernel[i * m + j] += x[r * n + i] * dz[r * m + j];
    }
  }
  return { kernel, bias };
}

test('fit calls onBatchEnd only from the step a callback names (nextBatchEnd), read before each call', () => {
  const model = classifier();
  const data = blobs(64, 3);
  const called: number[] = [];
  const every: number[] = [];
  const sparse = {
    nextBatchEnd: 0,
    onBatchEnd(context: StepContext) {
      called.push(context.step);
      this.nextBatchEnd = context.step + (context.step === 3 ? 1 : 3);
    },
  };
  const wake = { onBatchEnd: (context: StepContext) => void every.push(context.step) };
  model.fit(data, { epochs: 2, batchSize: 8, callbacks: [sparse, wake] });
  assert.deepEqual(called, [0, 3, 4, 7, 10, 13]);
  // The others are called at every step, and the count of steps is the usual one.
  assert.deepEqual(
    every,
    Array.from({ length: 16 }, (_, i) => i),
  );
});

test('glass-box contract: after a training step every layer exposes consistent tensors', () => {
  const model = classifier();
  const x = Tensor.fromArray([5, 2, 3], normalValues(new RandomState(2), 30));
  const y = Float32Array.from([0, 2, 1, 1, 0]);
  model.computeGradients(x, y);
  const layers = model.layers;
  assert.equal(layers[0].input, x);
  for (let i = 0; i + 1 < layers.length; i++) assert.equal(layers[i + 1].input, layers[i].output);
  // Flatten sits below the first trainable layer: no backward pass reaches it.
  assert.equal(layers[0].outputGrad, null);
  assert.equal(layers[1].inputGrad, null, 'the first trainable layer passes nothing down');
  for (let i = 1; i + 1 < layers.length; i++) {
    assert.deepEqual(
      layers[i].outputGrad!.toArray(),
      layers[i + 1].inputGrad!.toArray(),
      layers[i].name,
    );
  }
  const last = layers[layers.length - 1] as Dense;
  const p = last.output!.data,
    lossGrad = new Float32Array(p.length);
  losses.sparse_categorical_crossentropy.gradient(p, y, lossGrad, 5, 3);
  assert.deepEqual(last.outputGrad!.toArray(), Array.from(lossGrad));
  // Fused softmax + cross-entropy: ∂L/∂z = (p − onehot(y))/N.
  const logitGrad = Array.from(p, (v, i) => (v - (y[Math.floor(i / 3)] === i % 3 ? 1 : 0)) / 5);
  assertClose(last.preActivationGrad!.toArray(), logitGrad, TIGHT, 'logit gradient');
  for (const layer of [layers[1], layers[3], last] as Dense[]) {
    const expected = denseGrads(layer);
    assertClose(layer.kernel.grad!.toArray(), expected.kernel, TIGHT, `${layer.name} kernel grad`);
    assertClose(layer.bias!.grad!.toArray(), expected.bias, TIGHT, `${layer.name} bias grad`);
  }
  for (const v of model.trainableVariables) {
    assert.ok(
      v.grad!.toArray().some((g) => g !== 0),
      `${v.name} has a gradient`,
    );
  }
});

test('training is reproducible: same seed, same data → bitwise identical history', () => {
  const data = blobs(40, 3);
  const fit = (seed: number) => {
    const model = classifier(seed);
    const history = model.fit(data, { epochs: 3, batchSize: 8 });
    return { loss: history.history.loss, weights: model.variables.map((v) => v.value.toArray()) };
  };
  const a = fit(4),
    b = fit(4);
  assert.deepEqual(a, b);
  assert.notDeepEqual(fit(5).loss, a.loss);
});

test('fit returns a Keras History: loss, accuracy, val_loss, val_accuracy per epoch', () => {
  const history = classifier().fit(blobs(32, 6), {
    epochs: 3,
    batchSize: 8,
    validationData: blobs(16, 7),
  });
  assert.deepEqual(history.epoch, [0, 1, 2]);
  for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy'] as const) {
    assert.equal(history.history[key].length, 3, key);
    assert.ok(history.history[key].every(Number.isFinite), key);
  }
  const mse = classifier(1, 'mean_squared_error');
  const y = normalValues(new RandomState(8), 32 * 3);
  const regression = arrayDataset(normalValues(new RandomState(9), 32 * 6), [2, 3], y, 3);
  const noAccuracy = mse.fit(regression, { epochs: 2, validationData: regression });
  assert.deepEqual([noAccuracy.history.accuracy, noAccuracy.history.val_accuracy], [[], []]);
  assert.equal(noAccuracy.history.val_loss.length, 2);
});

test('predict and evaluate: shapes, inference mode, and the loss of the predictions', () => {
  const model = classifier();
  const data = blobs(37, 10);
  model.fit(data, { epochs: 2, batchSize: 8 });
  const p = model.predict(data, { batchSize: 5 });
  assert.equal(p.length, 37 * 3);
  assert.deepEqual(model.predict(data), p, 'inference is deterministic (no dropout)');
  const evaluation = model.evaluate(data, { batchSize: 10 });
  const y = Float32Array.from(data.labels);
  const loss = losses.sparse_categorical_crossentropy;
  assertClose([evaluation.loss], [loss.compute(p, y, 37, 3)], TIGHT, 'loss');
  assert.equal(evaluation.accuracy, loss.correct(p, y, 37, 3)! / 37);
});

test('onGradients sees gradients before the optimizer step; maxSteps stops training', () => {
  const model = classifier();
  let weights = model.trainableVariables.map((v) => v.value.toArray());
  let calls = 0;
  const history = model.fit(blobs(20, 11), {
    epochs: 10,
    batchSize: 4,
    maxSteps: 7,
    callbacks: [
      {
        onGradients() {
          calls++;
          assert.deepEqual(
            model.trainableVariables.map((v) => v.value.toArray()),
            weights,
          );
        },
        onBatchEnd() {
          const after = model.trainableVariables.map((v) => v.value.toArray());
          assert.notDeepEqual(after, weights, 'the optimizer moved the weights');
          weights = after;
        },
      },
    ],
  });
  assert.equal(calls, 7);
  assert.equal(model.optimizer!.iterations, 7);
  assert.deepEqual(history.epoch, [0, 1], 'five steps in epoch 0, two in epoch 1');
});

test('a partial last batch is trained on and weighted by its size in the epoch loss', () => {
  const contexts: StepContext[] = [];
  const history = classifier().fit(blobs(10, 12), {
    batchSize: 4,
    callbacks: [{ onBatchEnd: (context) => void contexts.push(context) }],
  });
  assert.deepEqual(
    contexts.map((c) => [c.batch, c.batchSize, c.batchesPerEpoch]),
    [
      [0, 4, 3],
      [1, 4, 3],
      [2, 2, 3],
    ],
  );
  const weighted = contexts.reduce((sum, c) => sum + c.loss * c.batchSize, 0) / 10;
  assertClose(history.history.loss, [weighted], TIGHT, 'epoch loss');
});

test('computeGradients leaves the weights alone', () => {
  const model = classifier();
  const before = model.variables.filter((v) => v.trainable).map((v) => v.value.toArray());
  model.computeGradients(
    Tensor.fromArray([2, 2, 3], normalValues(new RandomState(13), 12)),
    Float32Array.from([0, 1]),
  );
  assert.deepEqual(
    model.trainableVariables.map((v) => v.value.toArray()),
    before,
  );
});

test('a small MLP learns XOR-like data', () => {
  const rng = new RandomState(14);
  const x = Float32Array.from(rng.uniform(-1, 1, 400));
  const y = Array.from({ length: 200 }, (_, i) => (x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0));
  const data = arrayDataset(x, [2], y);
  const model = new Sequential({
    seed: 15,
    layers: [
      new Dense({ units: 16, activation: 'tanh', inputShape: [2] }),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ],
  }).compile({ optimizer: new Adam({ learningRate: 0.02 }), loss: 'binary_crossentropy' });
  const before = model.evaluate(data);
  model.fit(data, { epochs: 60, batchSize: 16 });
  const after = model.evaluate(data);
  assert.ok(before.accuracy! < 0.7, `untrained accuracy ${before.accuracy}`);
  assert.ok(after.accuracy! > 0.95, `trained accuracy ${after.accuracy}`);
  assert.ok(after.loss < before.loss / 2, `loss ${before.loss} → ${after.loss}`);
});

test('only unnamed layers take a number, as in Keras', () => {
  const model = new Sequential({
    layers: [
      new Dense({ units: 2, inputShape: [3] }),
      new Dense({ units: 2, name: 'hidden' }),
      new Dense({ units: 1 }),
    ],
  });
  assert.deepEqual(
    model.layers.map((l) => l.name),
    ['dense_1', 'hidden', 'dense_2'],
  );
});

test('fit rejects a custom dataset whose inputs hold NaN, naming the sample', () => {
  const model = new Sequential({
    layers: [new Dense({ units: 1, activation: 'sigmoid', inputShape: [2] })],
  });
  model.compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
  const dataset: Dataset = {
    count: 4,
    sampleShape: [2],
    labels: [0, 1, 0, 1],
    labelSize: 1,
    gatherSamples(indices, start, count, out) {
      for (let b = 0; b < count; b++) {
        const i = indices[start + b];
        out[2 * b] = i === 2 ? NaN : i;
        out[2 * b + 1] = 1;
      }
    },
  };
  assert.throws(
    () => model.fit(dataset, { shuffle: false, batchSize: 4 }),
    /fit: inputs must be finite\. Received: sample 2, value 0 = NaN/,
  );
});

test('a model without an input shape compiles and builds from the data on fit', () => {
  const model = new Sequential({ layers: [new Dense({ units: 1, activation: 'sigmoid' })] });
  model.compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
  assert.equal(model.built, false);
  model.fit(arrayDataset([1, 2, 3, 4], [2], [0, 1]), { batchSize: 2 });
  assert.deepEqual(model.layers[0].variable('kernel').shape, [2, 1]);
});
