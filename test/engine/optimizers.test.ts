/**
 * Optimizer steps against the Keras update rules, restated here in float64 one formula per
 * line. Weights are stored in float32, so the tolerance is |ours − ref| ≤ 1e-7 + 1e-6·|ref|.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { Variable } from '../../src/engine/layers/variable.js';
import { Adam, getOptimizer, RMSprop, SGD } from '../../src/engine/optimizers/index.js';
import type { Optimizer } from '../../src/engine/optimizers/index.js';
import type { Tensor } from '../../src/engine/tensor.js';
import { assertClose } from './support.js';
import type { Tolerance } from './support.js';

const FLOAT32: Tolerance = { rtol: 1e-6, atol: 1e-7 };
const W0 = [0.5, -1.5, 2];
const GRADS = [
  [0.1, -0.2, 0.3],
  [-0.4, 0.05, 0.2],
];

/** The weights after each step of `optimizer` on W0 with GRADS. */
function run(optimizer: Optimizer): number[][] {
  const variable = new Variable('w', [3], Float32Array.from(W0), true);
  return GRADS.map((g) => {
    variable.trainableGrad.data.set(g);
    optimizer.apply([variable]);
    return variable.value.toArray();
  });
}

/** A float64 reference: `step(w, g, t)` updates w in place, keeping its own state. */
function reference(step: (w: number[], g: number[], t: number) => void): number[][] {
  const w = [...W0];
  return GRADS.map((g, i) => {
    step(w, g, i + 1);
    return [...w];
  });
}

function assertSteps(ours: number[][], expected: number[][], label: string): void {
  expected.forEach((w, t) => assertClose(ours[t], w, FLOAT32, `${label} step ${t + 1}`));
}

test('SGD: w ← w − lr·g', () => {
  const lr = 0.1;
  const expected = reference((w, g) => w.forEach((_, i) => (w[i] -= lr * g[i])));
  assertSteps(run(new SGD({ learningRate: lr })), expected, 'sgd');
});

test('SGD with momentum: v ← μv − lr·g; w ← w + v', () => {
  const lr = 0.1,
    mu = 0.9,
    v = [0, 0, 0];
  const expected = reference((w, g) => {
    for (let i = 0; i < w.length; i++) {
      v[i] = mu * v[i] - lr * g[i];
      w[i] += v[i];
    }
  });
  assertSteps(run(new SGD({ learningRate: lr, momentum: mu })), expected, 'momentum');
});

test('SGD with Nesterov momentum: v ← μv − lr·g; w ← w + μv − lr·g', () => {
  const lr = 0.1,
    mu = 0.9,
    v = [0, 0, 0];
  const expected = reference((w, g) => {
    for (let i = 0; i < w.length; i++) {
      v[i] = mu * v[i] - lr * g[i];
      w[i] += mu * v[i] - lr * g[i];
    }
  });
  assertSteps(
    run(new SGD({ learningRate: lr, momentum: mu, nesterov: true })),
    expected,
    'nesterov',
  );
});

test('Adam (two steps): w ← w − lr·√(1 − β2ᵗ)/(1 − β1ᵗ)·m/(√v + ε)', () => {
  const lr = 0.01,
    b1 = 0.9,
    b2 = 0.999,
    eps = 1e-7,
    m = [0, 0, 0],
    v = [0, 0, 0];
  const expected = reference((w, g, t) => {
    const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    for (let i = 0; i < w.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      w[i] -= (alpha * m[i]) / (Math.sqrt(v[i]) + eps);
    }
  });
  assertSteps(run(new Adam({ learningRate: lr })), expected, 'adam');
});

const rmspropCases = [
  { title: 'plain', momentum: 0, centered: false },
  { title: 'centered', momentum: 0, centered: true },
  { title: 'momentum 0.9', momentum: 0.9, centered: false },
];

for (const { title, momentum, centered } of rmspropCases) {
  test(`RMSprop (${title}, two steps): Keras' update`, () => {
    const lr = 0.01,
      rho = 0.9,
      eps = 1e-7;
    const ms = [0, 0, 0],
      mg = [0, 0, 0],
      s = [0, 0, 0];
    const expected = reference((w, g) => {
      for (let i = 0; i < w.length; i++) {
        ms[i] = rho * ms[i] + (1 - rho) * g[i] ** 2;
        mg[i] = rho * mg[i] + (1 - rho) * g[i];
        const denominator = centered ? ms[i] - mg[i] ** 2 + eps : ms[i] + eps;
        const increment = (lr * g[i]) / Math.sqrt(denominator);
        s[i] = momentum * s[i] + increment;
        w[i] -= momentum > 0 ? s[i] : increment;
      }
    });
    const ours = new RMSprop({ learningRate: lr, momentum, centered });
    assertSteps(run(ours), expected, `rmsprop ${title}`);
  });
}

test('optimizers count steps, keep state per variable and skip non-trainable variables', () => {
  const optimizer = new SGD({ learningRate: 0.1, momentum: 0.5 });
  const a = new Variable('a', [1], Float32Array.from([1]), true);
  const b = new Variable('b', [1], Float32Array.from([1]), true);
  const frozen = new Variable('frozen', [1], Float32Array.from([1]), false);
  a.trainableGrad.data[0] = 1;
  optimizer.apply([a, frozen]);
  b.trainableGrad.data[0] = 1;
  optimizer.apply([a, b, frozen]);
  assert.equal(optimizer.iterations, 2);
  // a: v = −0.1, then −0.05 − 0.1 = −0.15 → 1 − 0.1 − 0.15; b has its own fresh velocity.
  assertClose(a.value.toArray(), [0.75], FLOAT32, 'a');
  assertClose(b.value.toArray(), [0.9], FLOAT32, 'b');
  assert.equal(frozen.value.data[0], 1);
});

test('defaults follow Keras: SGD lr 0.01, Adam and RMSprop lr 0.001, names resolve', () => {
  assert.equal(new SGD().learningRate, 0.01);
  assert.equal(new Adam().learningRate, 0.001);
  assert.equal(new RMSprop().learningRate, 0.001);
  assert.deepEqual(
    [new Adam().beta1, new Adam().beta2, new Adam().epsilon, new RMSprop().rho],
    [0.9, 0.999, 1e-7, 0.9],
  );
  assert.ok(getOptimizer('Adam') instanceof Adam);
  assert.ok(getOptimizer('rmsprop', { learningRate: 0.5 }).learningRate === 0.5);
});

test('asked for it, the report gives Σw² of each updated variable’s new weights', () => {
  for (const optimizer of [
    new SGD({ momentum: 0.9 }),
    new Adam({ learningRate: 0.1 }),
    new RMSprop({ centered: true }),
  ]) {
    // 1,029 weights: Adam's native update takes them (SIMD body, 4-wide and scalar tails); 3:
    // measured after the update.
    for (const n of [1029, 3]) {
      const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
      const variable = new Variable('w', [n], values, true);
      variable.trainableGrad.data.set(values.map((x) => Math.cos(x) * 0.1));
      const report = optimizer.apply([variable], undefined, false, true);
      const exact = variable.value.data.reduce((sum, w) => sum + w * w, 0);
      const squares = report.weightSquares.get(variable)!;
      // Measured in float32 groups of eight where not taken (sum-of-squares.ts): 2.4e-7.
      assert.ok(Math.abs(squares - exact) <= 3e-7 * exact, `${optimizer.name} ${n}: ${squares}`);
      const unasked = optimizer.apply([variable]);
      assert.equal(unasked.weightSquares.size, 0, `${optimizer.name}: only when asked`);
    }
  }
});

test('an update that does not take Σw² (a subclass’s) gets it measured after it', () => {
  class Halving extends SGD {
    protected override update(w: Tensor): number {
      for (let i = 0; i < w.size; i++) w.data[i] /= 2;
      return 0;
    }
  }
  const variable = new Variable('w', [3], Float32Array.from(W0), true);
  const report = new Halving().apply([variable], undefined, false, true);
  const halved = W0.reduce((sum, w) => sum + (w / 2) ** 2, 0);
  assert.ok(Math.abs(report.weightSquares.get(variable)! - halved) <= 1e-7 * halved);
});
