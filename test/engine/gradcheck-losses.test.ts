/**
 * Finite-difference checks of the losses (`gradient` against `compute`, `logitGradient`
 * against `compute` from logits) and of `Sequential.computeGradients` end to end, one model
 * per loss. Tolerance FD_TOLERANCE: |analytic − numeric| ≤ 1e-3 + 1e-2·|numeric|.
 */
import test from 'node:test';
import { activations } from '../../src/engine/activations.js';
import { Activation } from '../../src/engine/layers/activation.js';
import { BatchNormalization } from '../../src/engine/layers/batch-normalization.js';
import { Dense } from '../../src/engine/layers/dense.js';
import type { Layer } from '../../src/engine/layers/layer.js';
import { losses } from '../../src/engine/losses.js';
import type { LossName } from '../../src/engine/losses.js';
import { RandomState } from '../../src/engine/random.js';
import { Sequential } from '../../src/engine/sequential.js';
import {
  assertClose,
  FD_TOLERANCE,
  LOSS_COLS as COLS,
  LOSS_ROWS as ROWS,
  lossCases,
  normalValues,
  numericGradient,
  randomTensor,
} from './support.js';

/** Probabilities stay in [0.1, 1) so clipping never engages and 1/p stays moderate. */
const P_STEP = 1e-3;

for (const { loss: name, p, y } of lossCases()) {
  test(`${name}: gradient matches finite differences of compute`, () => {
    const loss = losses[name];
    const analytic = new Float32Array(p.length);
    loss.gradient(p, y, analytic, ROWS, COLS);
    const numeric = numericGradient(p, () => loss.compute(p, y, ROWS, COLS), P_STEP);
    assertClose(analytic, numeric, FD_TOLERANCE, `${name} ∂L/∂p`);
  });

  const fused = losses[name].fusedActivation;
  if (!fused) continue;
  test(`${name}: logitGradient matches finite differences of compute from logits (${fused})`, () => {
    const loss = losses[name];
    const z = normalValues(new RandomState(32), ROWS * COLS, 2);
    const probabilities = () => {
      const q = new Float32Array(z.length);
      activations[fused].forward(z, q, ROWS, COLS);
      return q;
    };
    const analytic = new Float32Array(z.length);
    loss.logitGradient(probabilities(), y, analytic, ROWS, COLS);
    const numeric = numericGradient(z, () => loss.compute(probabilities(), y, ROWS, COLS, z));
    assertClose(analytic, numeric, FD_TOLERANCE, `${name} ∂L/∂z`);
  });
}

interface ModelCase {
  title: string;
  loss: LossName;
  /** Layers after the shared first Dense(4, tanh) on 3 features. */
  head: () => Layer[];
  labels: (rng: RandomState) => Float32Array;
}

const BATCH = 5;
const oneHot = (rng: RandomState) =>
  Float32Array.from({ length: BATCH * 3 }, (_, i) => (i % 3 === rng.randint(0, 3) ? 1 : 0));

const modelCases: ModelCase[] = [
  {
    title: 'binary_crossentropy, fused sigmoid, with BatchNormalization',
    loss: 'binary_crossentropy',
    head: () => [new BatchNormalization(), new Dense({ units: 2, activation: 'sigmoid' })],
    labels: (rng) => Float32Array.from({ length: BATCH * 2 }, () => rng.randint(0, 2)),
  },
  {
    title: 'binary_crossentropy through an Activation(sigmoid) layer',
    loss: 'binary_crossentropy',
    head: () => [new Dense({ units: 2 }), new Activation({ activation: 'sigmoid' })],
    labels: (rng) => Float32Array.from({ length: BATCH * 2 }, () => rng.randint(0, 2)),
  },
  {
    title: 'categorical_crossentropy, fused softmax',
    loss: 'categorical_crossentropy',
    head: () => [new Dense({ units: 3, activation: 'softmax' })],
    labels: oneHot,
  },
  {
    title: 'categorical_crossentropy through an Activation(softmax) layer',
    loss: 'categorical_crossentropy',
    head: () => [
      new Dense({ units: 3, activation: 'elu' }),
      new Activation({ activation: 'softmax' }),
    ],
    labels: oneHot,
  },
  {
    title: 'sparse_categorical_crossentropy, fused softmax, with BatchNormalization',
    loss: 'sparse_categorical_crossentropy',
    head: () => [new BatchNormalization(), new Dense({ units: 3, activation: 'softmax' })],
    labels: (rng) => Float32Array.from({ length: BATCH }, () => rng.randint(0, 3)),
  },
  {
    title: 'mean_squared_error, linear output',
    loss: 'mean_squared_error',
    head: () => [new Dense({ units: 2 })],
    labels: (rng) => normalValues(rng, BATCH * 2),
  },
];

for (const { title, loss, head, labels } of modelCases) {
  test(`Sequential.computeGradients (${title}) matches finite differences of the loss`, () => {
    const model = new Sequential({
      seed: 3,
      layers: [new Dense({ units: 4, activation: 'tanh', inputShape: [3] }), ...head()],
    });
    model.compile({ optimizer: 'sgd', loss });
    const rng = new RandomState(33);
    const x = randomTensor(rng, [BATCH, 3]);
    const y = labels(rng);
    model.computeGradients(x, y);
    const variables = model.trainableVariables;
    const analytic = variables.map((v) => v.trainableGrad.toArray());
    const lossValue = () => model.computeGradients(x, y).loss;
    variables.forEach((v, k) => {
      assertClose(analytic[k], numericGradient(v.value, lossValue), FD_TOLERANCE, `∂L/∂${v.name}`);
    });
    x.dispose();
  });
}
