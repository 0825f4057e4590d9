/**
 * Optimizer parity with TensorFlow.js: the same starting weights and the same gradient
 * sequence give the same weights after every step, within PARITY:
 * |ours − tfjs| ≤ 1e-4·(1 + |tfjs|).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Variable } from '../../src/engine/layers/variable.js';
import { Adam, RMSprop, SGD } from '../../src/engine/optimizers/index.js';
import type { Optimizer } from '../../src/engine/optimizers/index.js';
import { RandomState } from '../../src/engine/random.js';
import { assertClose, normalValues } from './support.js';
import type { Tolerance } from './support.js';

const PARITY: Tolerance = { rtol: 1e-4, atol: 1e-4 };
const SIZE = 6;
const STEPS = 3;

await tf.setBackend('cpu');

let counter = 0;

/** Weights after each of STEPS steps, ours and tfjs', from the same start and gradients. */
function trajectories(ours: Optimizer, theirs: tf.Optimizer, steps = STEPS, seed = 51) {
  const rng = new RandomState(seed);
  const w0 = normalValues(rng, SIZE);
  const grads = Array.from({ length: steps }, () => normalValues(rng, SIZE));
  const variable = new Variable('w', [SIZE], w0, true);
  const tfVariable = tf.variable(tf.tensor1d(w0), true, `parity_w_${counter++}`);
  const result = { ours: [] as Float32Array[], theirs: [] as Float32Array[] };
  for (const g of grads) {
    variable.trainableGrad.data.set(g);
    ours.apply([variable]);
    theirs.applyGradients({ [tfVariable.name]: tf.tensor1d(g) });
    result.ours.push(Float32Array.from(variable.value.data));
    result.theirs.push(Float32Array.from(tfVariable.dataSync()));
  }
  return result;
}

function assertSameTrajectory(ours: Optimizer, theirs: tf.Optimizer, label: string): void {
  const run = trajectories(ours, theirs);
  run.ours.forEach((w, t) => assertClose(w, run.theirs[t], PARITY, `${label} step ${t + 1}`));
}

test('SGD matches tf.train.sgd', () => {
  assertSameTrajectory(new SGD({ learningRate: 0.1 }), tf.train.sgd(0.1), 'sgd');
});

// Keras: v ← μv − lr·g, w ← w + v. tfjs: a ← μa + g, w ← w − lr·a. With a constant lr,
// v = −lr·a at every step, so the weights agree; likewise for Nesterov (w − lr·(g + μa)).
test('SGD with momentum matches tf.train.momentum', () => {
  const ours = new SGD({ learningRate: 0.1, momentum: 0.9 });
  assertSameTrajectory(ours, tf.train.momentum(0.1, 0.9), 'momentum');
});

test('SGD with Nesterov momentum matches tf.train.momentum(useNesterov)', () => {
  const ours = new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true });
  assertSameTrajectory(ours, tf.train.momentum(0.1, 0.9, true), 'nesterov');
});

// tfjs divides the bias-corrected moments: m̂/(√v̂ + ε); Keras folds the corrections into the
// step: m/(√v + ε), which is m̂/(√v̂ + ε/√(1 − β2ᵗ)). With ε = 1e-7 and |g| ≈ 1 the difference
// is ~1e-7 relative, far inside PARITY.
test('Adam matches tf.train.adam with epsilon 1e-7 (three steps)', () => {
  const ours = new Adam({ learningRate: 0.01 });
  assertSameTrajectory(ours, tf.train.adam(0.01, 0.9, 0.999, 1e-7), 'adam');
});

// A large ε makes the placement visible: equal ε differ, and Keras' ε = tfjs' ε·√(1 − β2)
// agrees on the first step (the only one where a constant ε can match).
test('Adam places epsilon as Keras does: tfjs ε·√(1 − β2ᵗ) reproduces it', () => {
  const tfEpsilon = 1,
    beta2 = 0.999;
  const firstStep = (epsilon: number) => {
    const ours = new Adam({ learningRate: 0.01, epsilon });
    const run = trajectories(ours, tf.train.adam(0.01, 0.9, beta2, tfEpsilon), 1);
    return { ours: run.ours[0], theirs: run.theirs[0] };
  };
  const same = firstStep(tfEpsilon);
  const diff = Math.max(...same.ours.map((w, i) => Math.abs(w - same.theirs[i])));
  assert.ok(diff > 1e-3, `equal epsilons should differ measurably; max difference ${diff}`);
  const matched = firstStep(tfEpsilon * Math.sqrt(1 - beta2));
  assertClose(matched.ours, matched.theirs, { rtol: 1e-6, atol: 1e-6 }, 'adam, matched ε');
});

// tfjs' centered variant computes √(ms − (mg² + ε)) where Keras has √(ms − mg² + ε): with
// ε = 1e-7 against ms − mg² ≈ 0.09·g² the difference is far inside PARITY.
const rmspropCases = [
  { title: 'plain', momentum: 0, centered: false },
  { title: 'centered', momentum: 0, centered: true },
  { title: 'momentum 0.9', momentum: 0.9, centered: false },
  { title: 'centered with momentum 0.5', momentum: 0.5, centered: true },
];

for (const { title, momentum, centered } of rmspropCases) {
  test(`RMSprop (${title}) matches tf.train.rmsprop`, () => {
    const ours = new RMSprop({ learningRate: 0.01, momentum, centered });
    const theirs = tf.train.rmsprop(0.01, 0.9, momentum, 1e-7, centered);
    assertSameTrajectory(ours, theirs, `rmsprop ${title}`);
  });
}
