/** Bad input is refused with a message that names the owner, the argument and the values. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { arrayDataset } from '../../src/engine/dataset.js';
import type { Dataset } from '../../src/engine/dataset.js';
import { getActivation } from '../../src/engine/activations.js';
import type { ActivationName } from '../../src/engine/activations.js';
import { getInitializer } from '../../src/engine/initializers.js';
import type { InitializerName } from '../../src/engine/initializers.js';
import { Activation } from '../../src/engine/layers/activation.js';
import { BatchNormalization } from '../../src/engine/layers/batch-normalization.js';
import { Dense } from '../../src/engine/layers/dense.js';
import { Dropout } from '../../src/engine/layers/dropout.js';
import { SimpleRNN } from '../../src/engine/layers/simple-rnn.js';
import { getLoss } from '../../src/engine/losses.js';
import type { LossName } from '../../src/engine/losses.js';
import { Adam, getOptimizer, RMSprop, SGD } from '../../src/engine/optimizers/index.js';
import type { OptimizerName } from '../../src/engine/optimizers/index.js';
import { Sequential } from '../../src/engine/sequential.js';
import { Tensor } from '../../src/engine/tensor.js';
import { GradscopeError, ShapeError, ValueError } from '../../src/engine/errors.js';
import { NonFiniteGradientError } from '../../src/engine/clipping.js';
import { DataError } from '../../src/data/errors.js';
import { UsageError } from '../../src/experiments/flags.js';
import { built, stepInfo } from './support.js';

function model(units = 3, loss: LossName = 'sparse_categorical_crossentropy'): Sequential {
  const activation = loss === 'binary_crossentropy' ? 'sigmoid' : 'softmax';
  return new Sequential({
    layers: [new Dense({ units: 4, inputShape: [2] }), new Dense({ units, activation })],
  }).compile({ optimizer: 'sgd', loss });
}

/** A dataset that skips arrayDataset's checks, as a user's own Dataset might. */
function rawDataset(x: number[], sampleShape: number[], labels: number[], labelSize = 1): Dataset {
  return {
    count: labels.length / labelSize,
    sampleShape,
    labels,
    labelSize,
    gatherSamples(indices, start, n, out) {
      const size = sampleShape.reduce((a, b) => a * b, 1);
      for (let b = 0; b < n; b++) {
        const from = indices[start + b] * size;
        out.set(x.slice(from, from + size), b * size);
      }
    },
  };
}

test('dataset sample shape must match the model input', () => {
  const data = arrayDataset([1, 2, 3, 4, 5, 6], [3], [0, 1]);
  assert.throws(
    () => model().fit(data),
    /sequential: x samples must have shape \[2\]\. Received: \[3\]/,
  );
  assert.throws(
    () => model().fit(arrayDataset([1, 2], [2], [0]), { validationData: data }),
    /validationData samples must have shape \[2\]\. Received: \[3\]/,
  );
});

test('label counts must match the samples and the loss', () => {
  assert.throws(
    () => arrayDataset([1, 2, 3, 4], [2], [0, 1, 1]),
    /Dataset: 2 samples need 2 label values \(1 each\)\. Received: 3/,
  );
  assert.throws(
    () => arrayDataset([1, 2, 3], [2], [0]),
    /Dataset: 3 values do not divide into samples of shape \[2\]/,
  );
  const oneHotForSparse = arrayDataset([1, 2, 3, 4], [2], [0, 0, 1, 1, 0, 0], 3);
  assert.throws(
    () => model().fit(oneHotForSparse),
    /sparse_categorical_crossentropy with output shape \[3\] needs 1 label value\(s\) per sample\. Received: 3/,
  );
  const sparseForCategorical = arrayDataset([1, 2, 3, 4], [2], [0, 2]);
  assert.throws(
    () => model(3, 'categorical_crossentropy').fit(sparseForCategorical),
    /categorical_crossentropy with output shape \[3\] needs 3 label value\(s\) per sample\. Received: 1/,
  );
});

test('NaN and Infinity in inputs or labels are refused', () => {
  assert.throws(
    () => arrayDataset([1, NaN, 3, 4], [2], [0, 1]),
    /Dataset: inputs must be finite\. Received: inputs\[1\]=NaN/,
  );
  assert.throws(
    () => arrayDataset([1, 2, 3, 4], [2], [0, Infinity]),
    /Dataset: labels must be finite\. Received: labels\[1\]=Infinity/,
  );
  assert.throws(
    () => model().fit(rawDataset([1, 2, 3, 4], [2], [1, NaN])),
    /sparse_categorical_crossentropy: labels must be integer class indices in \[0, 2\]\. Received: labels\[1\]=NaN/,
  );
  assert.throws(
    () => model(2, 'mean_squared_error').fit(rawDataset([1, 2], [2], [0, -Infinity], 2)),
    /mean_squared_error: labels must be finite\. Received: labels\[1\]=-Infinity/,
  );
});

test('labels out of range for the loss are refused', () => {
  const ten = model(10);
  assert.throws(
    () => ten.fit(arrayDataset([1, 2, 3, 4], [2], [3, 10])),
    /sparse_categorical_crossentropy: labels must be integer class indices in \[0, 9\]\. Received: labels\[1\]=10/,
  );
  assert.throws(
    () => ten.fit(arrayDataset([1, 2], [2], [1.5])),
    /integer class indices in \[0, 9\]\. Received: labels\[0\]=1\.5/,
  );
  assert.throws(
    () => model(1, 'binary_crossentropy').fit(arrayDataset([1, 2, 3, 4], [2], [1, 2])),
    /binary_crossentropy: labels must be in \[0, 1\]\. Received: labels\[1\]=2/,
  );
  assert.throws(
    () => model(2, 'categorical_crossentropy').fit(arrayDataset([1, 2], [2], [-1, 1], 2)),
    /categorical_crossentropy: labels must be in \[0, 1\]\. Received: labels\[0\]=-1/,
  );
});

test('unknown activation, initializer, optimizer and loss names list the known ones', () => {
  const unknown = (what: string, name: string) =>
    new RegExp(`Unknown ${what}: '${name}'\\. Expected one of: \\w+`);
  assert.throws(
    () => new Dense({ units: 2, activation: 'relux' as ActivationName }),
    unknown('activation', 'relux'),
  );
  assert.throws(
    () => new Activation({ activation: 'swish' as ActivationName }),
    unknown('activation', 'swish'),
  );
  assert.throws(() => getActivation('Relu'), /Expected one of: linear, sigmoid, tanh, relu/);
  assert.throws(
    () => getInitializer('glorot' as InitializerName),
    unknown('initializer', 'glorot'),
  );
  // Initializer names are checked at construction, before any build.
  assert.throws(
    () => new Dense({ units: 2, kernelInitializer: 'he' as InitializerName }),
    unknown('initializer', 'he'),
  );
  assert.throws(
    () => new SimpleRNN({ units: 2, recurrentInitializer: 'eye' as InitializerName }),
    unknown('initializer', 'eye'),
  );
  assert.throws(() => getOptimizer('adamw'), unknown('optimizer', 'adamw'));
  assert.throws(
    () => model().compile({ optimizer: 'lbfgs' as OptimizerName, loss: 'mse' as LossName }),
    unknown('optimizer', 'lbfgs'),
  );
  assert.throws(() => getLoss('hinge'), unknown('loss', 'hinge'));
  assert.throws(
    () => new SimpleRNN({ units: 2, activation: 'relu' as 'tanh' }),
    /SimpleRNN: activation must be one of tanh, linear\. Received: activation=relu/,
  );
});

test('an empty dataset is refused', () => {
  assert.throws(
    () => arrayDataset([], [2], []),
    /Dataset: expected at least one sample\. Received: 0 values/,
  );
  assert.throws(
    () => model().fit(rawDataset([], [2], [])),
    /sequential: x must hold at least one sample\. Received: 0/,
  );
});

test('constructor arguments are validated with the received value', () => {
  assert.throws(
    () => new Dense({ units: 0.5 }),
    /Dense: units must be a positive integer\. Received: units=0\.5/,
  );
  assert.throws(
    () => new Dense({ units: 0 }),
    /Dense: units must be a positive integer\. Received: units=0/,
  );
  assert.throws(
    () => new SimpleRNN({ units: -1 }),
    /SimpleRNN: units must be a positive integer\. Received: units=-1/,
  );
  assert.throws(
    () => new Dropout({ rate: 1 }),
    /Dropout: rate must be in \[0, 1\)\. Received: rate=1/,
  );
  assert.throws(
    () => new Dropout({ rate: -0.1 }),
    /Dropout: rate must be in \[0, 1\)\. Received: rate=-0\.1/,
  );
  assert.throws(
    () => new BatchNormalization({ momentum: 1.5 }),
    /BatchNormalization: momentum must be in \[0, 1\]\. Received: momentum=1\.5/,
  );
  assert.throws(
    () => new BatchNormalization({ epsilon: 0 }),
    /BatchNormalization: epsilon must be > 0\. Received: epsilon=0/,
  );
  assert.throws(
    () => new SGD({ learningRate: -1 }),
    /SGD: learningRate must be a positive finite number\. Received: learningRate=-1/,
  );
  assert.throws(
    () => new SGD({ momentum: 2 }),
    /SGD: momentum must be in \[0, 1\)\. Received: momentum=2/,
  );
  assert.throws(
    () => new Adam({ beta1: 1.1 }),
    /Adam: beta1 must be in \[0, 1\)\. Received: beta1=1\.1/,
  );
  assert.throws(
    () => new Adam({ beta2: 1 }),
    /Adam: beta2 must be in \[0, 1\)\. Received: beta2=1/,
  );
  assert.throws(
    () => new Adam({ epsilon: -1 }),
    /Adam: epsilon must be a positive finite number\. Received: epsilon=-1/,
  );
  assert.throws(
    () => new RMSprop({ rho: 1 }),
    /RMSprop: rho must be in \[0, 1\)\. Received: rho=1/,
  );
  assert.throws(
    () => model().evaluate(arrayDataset([1, 2], [2], [0]), { batchSize: 0 }),
    /evaluate: batchSize must be a positive integer\. Received: batchSize=0/,
  );
  assert.throws(
    () => model().predict(arrayDataset([1, 2], [2], [0]), { batchSize: 2.5 }),
    /predict: batchSize must be a positive integer\. Received: batchSize=2\.5/,
  );
  assert.throws(
    () => model().fit(arrayDataset([1, 2], [2], [0]), { maxSteps: 0 }),
    /fit: maxSteps must be a positive integer\. Received: maxSteps=0/,
  );
  assert.throws(
    () => model().fit(arrayDataset([1, 2], [2], [0]), { batchSize: 0 }),
    /fit: batchSize must be a positive integer\. Received: batchSize=0/,
  );
  assert.throws(
    () => model().fit(arrayDataset([1, 2], [2], [0]), { epochs: 1.5 }),
    /fit: epochs must be a positive integer\. Received: epochs=1\.5/,
  );
});

test('layers refuse inputs of the wrong shape, and models refuse misuse', () => {
  const dense = built(new Dense({ units: 2, name: 'dense_1' }), [3]);
  assert.throws(
    () => dense.forward(Tensor.fromArray([2, 4], new Float32Array(8)), stepInfo(false)),
    /dense_1: expected input of shape \[batch,3\]\. Received: \[2,4\]/,
  );
  assert.throws(
    () => built(new SimpleRNN({ units: 2 }), [3]),
    /SimpleRNN: expected samples of shape \[timesteps,features\]\. Received: \[3\]/,
  );
  const uncompiled = new Sequential({ layers: [new Dense({ units: 1, inputShape: [2] })] });
  assert.throws(
    () => uncompiled.fit(arrayDataset([1, 2], [2], [0])),
    /sequential: call compile\(\) before training/,
  );
  assert.throws(
    () =>
      new Sequential({
        layers: [new Dense({ units: 1, name: 'a' }), new Dense({ units: 1, name: 'a' })],
      }),
    /sequential: layer names must be unique\. Received: a second layer named 'a'/,
  );
  assert.throws(
    () => Tensor.fromArray([2, 2], [1, 2, 3]),
    /Tensor\.fromArray: shape \[2,2\] needs 4 values\. Received: 3/,
  );
});

test('every deliberate error derives from GradscopeError and keeps its own name', () => {
  const errors = [
    new ValueError('v'),
    new ShapeError('s'),
    new NonFiniteGradientError('n'),
    new DataError('d'),
    new UsageError('u'),
  ];
  for (const error of errors) assert.ok(error instanceof GradscopeError, error.name);
  assert.deepEqual(
    errors.map((e) => e.name),
    ['ValueError', 'ShapeError', 'NonFiniteGradientError', 'DataError', 'UsageError'],
  );
});
