/**
 * Squared norms taken by the kernels that compute what they measure (StepMeasures): a
 * product's Σ C², the bias row sums' Σ out², the activation derivative's Σ(∂L/∂a)². Each equals
 * the separate sum-of-squares pass to the kernels' float tolerance (or bit for bit, where the
 * grouping is the pass's), leaves the computed values bit for bit as without measuring, and
 * keeps non-finite values visible. Runs on every kernel path (kernel-paths.test.ts).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { activations } from '../../src/engine/activations.js';
import { arrayDataset } from '../../src/engine/dataset.js';
import { BatchNormalization } from '../../src/engine/layers/batch-normalization.js';
import { Dense } from '../../src/engine/layers/dense.js';
import { GradientNorms, sumOfSquares } from '../../src/engine/norms.js';
import { backend, kernels, simdKernels } from '../../src/engine/kernels/index.js';
import { setThreads, threadSetting } from '../../src/engine/kernels/threads.js';
import { referenceSquares } from '../../src/engine/kernels/sum-of-squares.js';
import { Adam } from '../../src/engine/optimizers/index.js';
import { RandomState } from '../../src/engine/random.js';
import { Sequential } from '../../src/engine/sequential.js';
import { Tensor } from '../../src/engine/tensor.js';
import { normalValues } from './support.js';

const OPS = ['matmul', 'matmulTransA', 'matmulTransB'] as const;

/**
 * Relative error of a measured Σx² against the float64 sum: float32 squares summed 8 per lane
 * in float32, as the SIMD sum-of-squares kernel (≤ 4·2⁻²⁴ ≈ 2.4e-7).
 */
const SQUARES_RTOL = 2.5e-7;

function assertSquares(actual: number, values: ArrayLike<number>, n: number, where: string) {
  const expected = referenceSquares(values, n);
  assert.ok(
    Math.abs(actual - expected) <= SQUARES_RTOL * expected,
    `${where}: measured ${actual}, Σx² ${expected}`,
  );
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.from(a).every((x, i) => Object.is(x, b[i]));

// Unpacked and packed (k·n ≥ 32768, several KC blocks); rows not a multiple of 4; column tails
// of 1–7; more than one panel of 256 columns.
const SHAPES = [
  [1, 1, 1],
  [3, 5, 2],
  [7, 9, 13],
  [32, 32, 10],
  [784, 32, 32],
  [37, 300, 130],
  [13, 33, 300],
  [130, 520, 70],
  [64, 257, 263],
];

test('a measured product returns Σ C² and leaves C as the product without measuring', () => {
  const random = new RandomState(3);
  for (const op of OPS) {
    for (const [m, k, n] of SHAPES) {
      for (const accumulate of [false, true]) {
        const a = Tensor.fromArray([m * k], normalValues(random, m * k));
        const b = Tensor.fromArray([k * n], normalValues(random, k * n));
        const start = normalValues(random, m * n);
        const plain = Tensor.fromArray([m, n], start);
        const measured = Tensor.fromArray([m, n], start);
        const unmeasured = kernels[op](a, b, plain, m, k, n, accumulate);
        const squares = kernels[op](a, b, measured, m, k, n, accumulate, true);
        const where = `${kernels.name} ${op} ${m}×${k}×${n} accumulate=${accumulate}`;
        assert.equal(unmeasured, 0, `${where}: unmeasured returns 0`);
        assert.ok(sameBits(plain.data, measured.data), `${where}: C differs`);
        assertSquares(squares, measured.data, m * n, where);
        for (const t of [a, b, plain, measured]) t.dispose();
      }
    }
  }
});

test('measured sums stay exact and finite where float32 squares overflow or underflow, and show NaN', () => {
  // [label, value, in every element of C (else in one row), check]
  const cases: [string, number, boolean, (s: number) => void][] = [
    [
      '1e25 (squares overflow float32)',
      1e25,
      false,
      (s) => assert.ok(Number.isFinite(s) && s > 1e50),
    ],
    ['1e-25 (squares underflow float32)', 1e-25, true, (s) => assert.ok(s > 1e-50)],
    ['Infinity', Infinity, false, (s) => assert.equal(s, Infinity)],
    ['NaN', NaN, false, (s) => assert.ok(Number.isNaN(s))],
  ];
  // A product of a few elements (summed one by one), and one of whole blocks of 128 that runs
  // natively where the addon loads (native/products.c gs_squares: float32 groups of eight).
  for (const [m, k, n] of [
    [9, 1, 12],
    [128, 1, 128],
  ]) {
    for (const [label, value, everywhere, check] of cases) {
      const where = `${label}, ${m}×${k}×${n}`;
      // C = aᵀ·b with b = 1: C's row i is a's element i, `value` in row 0 (or in every row).
      const a = Tensor.fromArray(
        [k, m],
        Array.from({ length: m }, (_, i) => (i === 0 || everywhere ? value : 1)),
      );
      const b = Tensor.fromArray([k, n], new Array(n).fill(1));
      const c = Tensor.zeros([m, n]);
      const squares = kernels.matmulTransA(a, b, c, m, k, n, false, true);
      check(squares);
      // Summed exactly in float64, in some order: far closer than float32 squares would be.
      const exact = referenceSquares(c.data, m * n);
      if (Number.isFinite(value)) assert.ok(Math.abs(squares - exact) <= 1e-12 * exact, where);
      const rows = Tensor.zeros([n]);
      check(backend.elementwise.sumRowsInto(c.data, rows.data, m, n, true));
      for (const t of [a, b, c, rows]) t.dispose();
    }
  }
});

test('the bias row sums return Σ out² of what they leave in out', () => {
  const random = new RandomState(5);
  for (const [rows, cols] of [
    [1, 1],
    [4, 3],
    [32, 32],
    [7, 37],
    [32, 256],
  ]) {
    const m = Tensor.fromArray([rows, cols], normalValues(random, rows * cols));
    const start = normalValues(random, cols);
    const plain = Tensor.fromArray([cols], start);
    const measured = Tensor.fromArray([cols], start);
    backend.elementwise.sumRowsInto(m.data, plain.data, rows, cols);
    const squares = backend.elementwise.sumRowsInto(m.data, measured.data, rows, cols, true);
    assert.ok(sameBits(plain.data, measured.data), `${rows}×${cols}: sums differ`);
    assertSquares(squares, measured.data, cols, `${rows}×${cols}`);
    for (const t of [m, plain, measured]) t.dispose();
  }
});

test('the activation derivative returns Σ(∂L/∂a)² with the bits of the sum-of-squares pass', () => {
  const random = new RandomState(7);
  for (const name of ['relu', 'sigmoid', 'tanh', 'linear', 'elu', 'softmax'] as const) {
    const activation = activations[name];
    for (const [rows, cols] of [
      [1, 1],
      [3, 5],
      [32, 32],
      [5, 33],
      [32, 256],
    ]) {
      const n = rows * cols;
      const z = Tensor.fromArray([n], normalValues(random, n));
      const a = Tensor.zeros([n]);
      activation.forward(z.data, a.data, rows, cols);
      const signal = Tensor.fromArray([n], normalValues(random, n));
      const plain = Tensor.zeros([n]);
      const measured = Tensor.zeros([n]);
      activation.backward(z.data, a.data, signal.data, plain.data, rows, cols);
      const squares = activation.backward(
        z.data,
        a.data,
        signal.data,
        measured.data,
        rows,
        cols,
        true,
      );
      const where = `${backend.name} ${name} ${rows}×${cols}`;
      assert.ok(sameBits(plain.data, measured.data), `${where}: ∂L/∂z differs`);
      assertSquares(squares, signal.data, n, where);
      // The wasm activations square the signal in the pass's own groups of 32.
      if (['relu', 'sigmoid', 'tanh', 'linear'].includes(name)) {
        assert.equal(squares, sumOfSquares(signal), `${where}: not the pass's bits`);
      }
      for (const t of [z, a, signal, plain, measured]) t.dispose();
    }
  }
});

/** A small relu model with Adam, trained one batch at a time from a fixed seed. */
function trainedModel(): { model: Sequential; x: Tensor; y: Float32Array } {
  const model = new Sequential({
    seed: 11,
    layers: [
      new Dense({ units: 40, activation: 'relu', inputShape: [37] }),
      new Dense({ units: 9, activation: 'tanh' }),
      new Dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: new Adam(), loss: 'sparse_categorical_crossentropy' });
  const random = new RandomState(13);
  const x = Tensor.fromArray([16, 37], normalValues(random, 16 * 37));
  const y = Float32Array.from({ length: 16 }, (_, i) => i % 3);
  return { model, x, y };
}

test('backward records each Dense gradient’s Σg² and signal Σ(∂L/∂a)², as the separate passes measure them', () => {
  const { model, x, y } = trainedModel();
  model.computeGradients(x, y, { gradients: true, signals: true, updates: true, weights: true });
  const variables = model.trainableVariables;
  const recorded = variables.map((v) => v.recordedGradSquares);
  assert.ok(
    recorded.every((s) => s !== null),
    'every Dense gradient recorded',
  );
  const measured = new GradientNorms(variables);
  variables.forEach((v, k) => {
    assert.equal(measured.squaresAt(k), recorded[k], `${v.name}: the recorded sum is used`);
    assertSquares(recorded[k]!, v.trainableGrad.data, v.trainableGrad.size, v.name);
  });
  // Handing out the gradient forgets the sum: whoever holds the tensor may write it.
  assert.equal(variables[0].recordedGradSquares, null);
  // The hidden layers' signals go through an activation derivative; the output layer's
  // ∂L/∂z comes from the fused loss, so its signal is left to the probes' own pass.
  for (const layer of model.layers.slice(0, 2)) {
    assert.equal(layer.outputGradSquares, sumOfSquares(layer.outputGrad!), layer.name);
  }
  assert.equal(model.layers[2].outputGradSquares, null);
  model.computeGradients(x, y);
  assert.ok(model.trainableVariables.every((v) => v.recordedGradSquares === null));
  assert.ok(model.layers.every((layer) => layer.outputGradSquares === null));
});

test('BatchNormalization records Σ(∂L/∂γ)² and Σ(∂L/∂β)² of the gradients it wrote, exactly', () => {
  const model = new Sequential({
    seed: 5,
    layers: [
      new Dense({ units: 12, activation: 'relu', inputShape: [7] }),
      new BatchNormalization(),
      new Dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: new Adam(), loss: 'sparse_categorical_crossentropy' });
  const random = new RandomState(17);
  const x = Tensor.fromArray([10, 7], normalValues(random, 70));
  const y = Float32Array.from({ length: 10 }, (_, i) => i % 3);
  const [gamma, beta] = model.layers[1].trainableVariables;
  model.computeGradients(x, y, { gradients: true, signals: false, updates: false, weights: false });
  const recorded = [gamma.recordedGradSquares, beta.recordedGradSquares];
  // Each float32's square is exact in float64: the float64 sum in order, bit for bit.
  [gamma, beta].forEach((v, k) => {
    assert.ok(recorded[k]! > 0, `${v.name}: recorded ${recorded[k]}`);
    assert.equal(recorded[k], referenceSquares(v.trainableGrad.data, v.trainableGrad.size));
  });
  model.computeGradients(x, y);
  assert.equal(gamma.recordedGradSquares, null);
  assert.equal(beta.recordedGradSquares, null);
});

test('training that measures in backward gives the same weights, bit for bit', () => {
  const runs = [false, true].map((measure) => {
    const { model, x, y } = trainedModel();
    const data = arrayDataset(Array.from(x.data), [37], Array.from(y), 1);
    const callbacks = measure
      ? [
          {
            measuresWanted: () => ({
              gradients: true,
              signals: true,
              updates: true,
              weights: true,
            }),
          },
        ]
      : [];
    model.fit(data, { epochs: 3, batchSize: 5, callbacks });
    return model.trainableVariables.map((v) => Array.from(v.value.data));
  });
  assert.ok(
    runs[0].every((w, k) => sameBits(w, runs[1][k])),
    'weights differ',
  );
});

test('a product split across two threads measures the same bits as on one', () => {
  const before = threadSetting();
  const random = new RandomState(17);
  try {
    for (const op of OPS) {
      for (const [m, k, n] of SHAPES.filter(([m, , n]) => m >= 2 && n >= 16)) {
        const a = Tensor.fromArray([m * k], normalValues(random, m * k));
        const b = Tensor.fromArray([k * n], normalValues(random, k * n));
        const c = Tensor.zeros([m, n]);
        const squares = ([1, 2] as const).map((threads) => {
          setThreads(threads);
          return simdKernels[op](a, b, c, m, k, n, false, true);
        });
        assert.ok(
          Object.is(squares[0], squares[1]),
          `${op} ${m}×${k}×${n}: ${squares.join(' ≠ ')}`,
        );
        for (const t of [a, b, c]) t.dispose();
      }
    }
  } finally {
    setThreads(before);
  }
});
