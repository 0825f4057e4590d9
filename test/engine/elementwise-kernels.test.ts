/**
 * The SIMD elementwise kernels (assembly/activations.ts, exp.ts, rows.ts, batch-norm.ts,
 * dropout.ts) against the plain-TypeScript reference, over lengths that exercise full vectors
 * and every tail (1…33, 784, 785), and the edge values a diverging run produces.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { elementwiseFunctions } from '../../src/engine/activations.js';
import type { ActivationName } from '../../src/engine/activations.js';
import { BACKENDS } from '../../src/engine/kernels/index.js';
import { DROPOUT_STATE_WORDS, seedDropoutState } from '../../src/engine/kernels/dropout.js';
import { simdExp, type PointwiseFunction } from '../../src/engine/kernels/elementwise.js';
import { RandomState } from '../../src/engine/random.js';
import { Tensor } from '../../src/engine/tensor.js';

const { simd, reference } = BACKENDS;
const SIZES = [...Array.from({ length: 33 }, (_, i) => i + 1), 784, 785];
const SIMD_ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh'] as const;

/** A heap array of `values` (the SIMD kernels only run on heap arrays). */
function heapArray(values: ArrayLike<number>): Float32Array {
  return Tensor.fromArray([values.length], values).data;
}

function pointwise(name: ActivationName & keyof typeof elementwiseFunctions): PointwiseFunction {
  return { name, ...elementwiseFunctions[name] };
}

function closeTo(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    if (Number.isNaN(e)) assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
    else
      assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}[${i}]: ${a} vs ${e}`);
  }
}

const random = new RandomState(3);
const uniform = (n: number, scale: number) => random.uniform(-scale, scale, n);

test('SIMD exp is within 2 ulp of Math.exp from −104 to 89, and exact at the edges', () => {
  const xs: number[] = [];
  for (let x = -104; x <= 89; x += 0.0137) xs.push(x);
  xs.push(0, -0, 1e-8, -1e-8, 88.72, 88.7228, 88.73, -87.33, -103.9, 89, -105);
  const x = heapArray(xs);
  const out = heapArray(new Float32Array(xs.length));
  simdExp(x, out);
  const f32 = new Float32Array(1);
  for (let i = 0; i < xs.length; i++) {
    f32[0] = Math.exp(x[i]);
    const expected = f32[0];
    if (expected === Infinity) assert.equal(out[i], Infinity, `exp(${x[i]})`);
    else if (expected < 1.1754943508222875e-38) {
      // Subnormal results carry fewer bits: within two of the smallest subnormal.
      assert.ok(Math.abs(out[i] - expected) <= 2 * 2 ** -149, `exp(${x[i]}) = ${out[i]}`);
    } else {
      const ulp = 2 ** (Math.floor(Math.log2(expected)) - 23);
      assert.ok(Math.abs(out[i] - expected) <= 2 * ulp, `exp(${x[i]}) = ${out[i]} vs ${expected}`);
    }
  }
  const edges = heapArray([Infinity, -Infinity, NaN, 1000, -1000]);
  const edgesOut = heapArray(new Float32Array(5));
  simdExp(edges, edgesOut);
  assert.deepEqual(Array.from(edgesOut), [Infinity, 0, NaN, Infinity, 0]);
});

test('bias + activation: SIMD equals the reference at every length, with and without bias', () => {
  for (const name of SIMD_ACTIVATIONS) {
    const fn = pointwise(name);
    for (const cols of SIZES) {
      const rows = cols > 100 ? 3 : 5;
      const z0 = uniform(rows * cols, 6);
      const bias = uniform(cols, 1);
      for (const withBias of [true, false]) {
        const run = (kernels: typeof simd) => {
          const z = heapArray(z0);
          const a = heapArray(new Float32Array(rows * cols));
          kernels.elementwise.biasActivation(
            fn,
            z,
            withBias ? heapArray(bias) : null,
            a,
            rows,
            cols,
          );
          return { z: Array.from(z), a: Array.from(a) };
        };
        const [s, r] = [run(simd), run(reference)];
        const what = `${name} ${rows}×${cols} bias=${withBias}`;
        assert.deepEqual(s.z, r.z, `${what}: z + b`);
        const tol = name === 'relu' || name === 'linear' ? 0 : 4e-7;
        closeTo(s.a, r.a, tol, `${what}: a`);
      }
    }
  }
});

test('activation gradient: SIMD equals the reference at every length', () => {
  for (const name of SIMD_ACTIVATIONS) {
    const fn = pointwise(name);
    for (const n of SIZES) {
      const z = heapArray(uniform(n, 4));
      const a = heapArray(new Float32Array(n));
      reference.elementwise.biasActivation(fn, z, null, a, 1, n);
      const outputGrad = heapArray(uniform(n, 1));
      const run = (kernels: typeof simd) => {
        const zGrad = heapArray(new Float32Array(n));
        kernels.elementwise.activationGrad(fn, z, a, outputGrad, zGrad, n);
        return Array.from(zGrad);
      };
      closeTo(
        run(simd),
        run(reference),
        name === 'relu' || name === 'linear' ? 0 : 2e-7,
        `${name} n=${n}`,
      );
    }
  }
});

test('SIMD activations keep NaN and infinities visible', () => {
  const z = heapArray([NaN, -1, 0, -0, Infinity, -Infinity, 2, NaN]);
  const run = (name: (typeof SIMD_ACTIVATIONS)[number]) => {
    const a = heapArray(new Float32Array(z.length));
    simd.elementwise.biasActivation(pointwise(name), z, null, a, 1, z.length);
    return Array.from(a);
  };
  assert.deepEqual(run('relu'), [NaN, 0, 0, 0, Infinity, 0, 2, NaN]);
  assert.deepEqual(run('sigmoid').map(Number.isNaN), [
    true,
    false,
    false,
    false,
    false,
    false,
    false,
    true,
  ]);
  assert.deepEqual(run('sigmoid').slice(4, 6), [1, 0]);
  assert.deepEqual(run('tanh').slice(4, 6), [1, -1]);
  assert.ok(Number.isNaN(run('tanh')[0]));
  // relu′ = 0 below zero, and 0·Inf is NaN: an exploding signal is not silently zeroed.
  const a = heapArray(run('relu'));
  const outputGrad = heapArray([1, Infinity, Infinity, 1, 1, NaN, 1, 1]);
  const zGrad = heapArray(new Float32Array(z.length));
  simd.elementwise.activationGrad(pointwise('relu'), z, a, outputGrad, zGrad, z.length);
  assert.deepEqual(Array.from(zGrad), [0, NaN, NaN, 0, 1, NaN, 1, 0]);
});

test('an activation without a wasm form still gets its bias added, by the table', () => {
  const fn = pointwise('elu');
  const z0 = uniform(3 * 7, 3);
  const bias = uniform(7, 1);
  const run = (kernels: typeof simd) => {
    const z = heapArray(z0);
    const a = heapArray(new Float32Array(z0.length));
    kernels.elementwise.biasActivation(fn, z, heapArray(bias), a, 3, 7);
    return Array.from(a);
  };
  closeTo(run(simd), run(reference), 0, 'elu');
});

test('row sums and products: SIMD equals the reference bit for bit', () => {
  for (const cols of SIZES) {
    const rows = 7;
    const m = heapArray(uniform(rows * cols, 1));
    const start = uniform(cols, 1);
    const sums = [simd, reference].map((kernels) => {
      const out = heapArray(start);
      kernels.elementwise.sumRowsInto(m, out, rows, cols);
      return Array.from(out);
    });
    assert.deepEqual(sums[0], sums[1], `sumRowsInto ${rows}×${cols}`);
    const b = heapArray(uniform(rows * cols, 1));
    const products = [simd, reference].map((kernels) => {
      const out = heapArray(new Float32Array(rows * cols));
      kernels.elementwise.multiply(m, b, out, rows * cols);
      return Array.from(out);
    });
    assert.deepEqual(products[0], products[1], `multiply n=${rows * cols}`);
  }
});

test('BatchNormalization passes: SIMD equals the reference at every width', () => {
  for (const cols of SIZES) {
    for (const rows of [1, 2, 5, 32]) {
      // Column means a few times the spread, as after a relu layer.
      const x = heapArray(uniform(rows * cols, 3).map((v, i) => v + ((i % cols) % 7)));
      const vectors = () => Array.from({ length: 7 }, () => heapArray(new Float32Array(cols)));
      const gamma = heapArray(uniform(cols, 2));
      const beta = heapArray(uniform(cols, 1));
      const outputGrad = heapArray(uniform(rows * cols, 1));
      const run = (kernels: typeof simd) => {
        const [mean, variance, invStd, sum, sumXHat, meanGrad, meanGradXHat] = vectors();
        const xHat = heapArray(new Float32Array(rows * cols));
        const y = heapArray(new Float32Array(rows * cols));
        const inputGrad = heapArray(new Float32Array(rows * cols));
        kernels.batchNorm.columnMoments(x, rows, cols, mean, variance);
        for (let j = 0; j < cols; j++) invStd[j] = 1 / Math.sqrt(variance[j] + 1e-3);
        kernels.batchNorm.normalize(x, mean, invStd, gamma, beta, xHat, y, rows, cols);
        kernels.batchNorm.gradSums(outputGrad, xHat, rows, cols, sum, sumXHat);
        for (let j = 0; j < cols; j++) {
          meanGrad[j] = sum[j] / rows;
          meanGradXHat[j] = sumXHat[j] / rows;
        }
        kernels.batchNorm.inputGrad(
          outputGrad,
          xHat,
          invStd,
          meanGrad,
          meanGradXHat,
          inputGrad,
          rows,
          cols,
        );
        return { mean, variance, y, sum, sumXHat, inputGrad };
      };
      const [s, r] = [run(simd), run(reference)];
      for (const key of Object.keys(s) as (keyof typeof s)[]) {
        closeTo(s[key], r[key], 2e-5, `${key} ${rows}×${cols}`);
      }
    }
  }
});

test('dropout: SIMD draws the reference mask bit for bit, at the asked rate', () => {
  for (const n of [...SIZES, 10000]) {
    const x = heapArray(uniform(n, 1));
    const run = (kernels: typeof simd) => {
      const state = seedDropoutState(new RandomState(n), new Uint32Array(DROPOUT_STATE_WORDS));
      const mask = heapArray(new Float32Array(n));
      const y = heapArray(new Float32Array(n));
      kernels.dropout(x, mask, y, n, 0.25, 4 / 3, state);
      return { mask: Array.from(mask), y: Array.from(y), state: Array.from(state) };
    };
    assert.deepEqual(run(simd), run(reference), `n=${n}`);
  }
  const n = 40000;
  const state = seedDropoutState(new RandomState(1), new Uint32Array(DROPOUT_STATE_WORDS));
  const mask = heapArray(new Float32Array(n));
  simd.dropout(
    heapArray(new Float32Array(n).fill(1)),
    mask,
    heapArray(new Float32Array(n)),
    n,
    0.25,
    4 / 3,
    state,
  );
  const dropped = mask.filter((m) => m === 0).length / n;
  // Binomial standard deviation √(0.25·0.75/40000) ≈ 0.0022: four of them.
  assert.ok(Math.abs(dropped - 0.25) < 0.0087, `dropped fraction ${dropped}`);
  assert.ok(mask.every((m) => m === 0 || m === Math.fround(4 / 3)));
});

test('the SIMD backend’s softmax gives the reference softmax bits, its row sums included', () => {
  const rng = new RandomState(11);
  const edge = [0, -0, 1e-30, -1e-30, 0.3, -0.3, 0.35, -0.35, 1, -1, 88, -88, 700, -700, 705, -705];
  const specials = [NaN, Infinity, -Infinity, 3.4e38, -3.4e38];
  const kinds: [string, (n: number) => number[]][] = [
    ['normal', (n) => Array.from(rng.normal(0, 4, n))],
    ['wide', (n) => Array.from({ length: n }, () => (rng.randomSample() - 0.5) * 1600)],
    ['edge', (n) => Array.from({ length: n }, (_, i) => edge[i % edge.length])],
    [
      'special',
      (n) => Array.from(rng.normal(0, 1, n), (v, i) => (i % 3 === 1 ? specials[i % 5] : v)),
    ],
  ];
  for (const cols of [1, 2, 7, 8, 10, 17, 33]) {
    for (const [what, values] of kinds) {
      const rows = 37;
      const z = heapArray(values(rows * cols));
      const expected = heapArray(new Float32Array(rows * cols));
      const expectedStats = new Float64Array(2 * rows);
      reference.elementwise.softmaxRows(z, expected, rows, cols, expectedStats);
      const a = heapArray(new Float32Array(rows * cols));
      const stats = new Float64Array(2 * rows);
      simd.elementwise.softmaxRows(z, a, rows, cols, stats);
      const label = `${what}, ${cols} columns`;
      for (let i = 0; i < a.length; i++) {
        assert.ok(Object.is(a[i], expected[i]), `${label}: a[${i}] ${a[i]} vs ${expected[i]}`);
      }
      for (let i = 0; i < stats.length; i++) {
        assert.ok(Object.is(stats[i], expectedStats[i]), `${label}: stats[${i}]`);
      }
    }
  }
});
