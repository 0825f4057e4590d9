/** The norm utilities of src/engine/norms.ts, against plain loops and literal values. */
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  allFinite,
  countNonFinite,
  countNonFiniteGiven,
  globalNorm,
  GradientNorms,
  l2Norm,
  sumOfSquares,
  sumsOfSquares,
} from '../../src/engine/norms.js';
import { Variable } from '../../src/engine/layers/variable.js';
import { Tensor } from '../../src/engine/tensor.js';
import { assertNear, plainSquares } from './support.js';

test('sumOfSquares and l2Norm match a plain loop at every length mod 4', () => {
  for (let n = 0; n < 23; n++) {
    const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i + 0.5) * 3);
    assertNear(sumOfSquares(values), plainSquares(values), 1e-14, `n=${n}`);
    assertNear(l2Norm(values), Math.sqrt(plainSquares(values)), 1e-14, `n=${n}`);
  }
  assert.equal(l2Norm([3, 4]), 5);
});

test('sums run in float64: float32 values whose squares overflow float32 stay finite', () => {
  const big = new Float32Array([3e38, 3e38]);
  assertNear(l2Norm(big), 3e38 * Math.SQRT2, 1e-7, 'norm');
});

test('globalNorm is √ of the summed squares, and reports each tensor’s squares', () => {
  const squares: number[] = [];
  assert.equal(globalNorm([[3, 4], [12], []], squares), 13);
  assert.deepEqual(squares, [25, 144, 0]);
  assert.equal(globalNorm([]), 0);
});

test('non-finite values: counted, and they make the sums non-finite', () => {
  const values = [1, NaN, Infinity, -Infinity, 2];
  assert.equal(countNonFinite(values), 3);
  assert.ok(Number.isNaN(sumOfSquares(values)));
  assert.equal(sumOfSquares([1, Infinity]), Infinity);
  assert.equal(countNonFiniteGiven(values, sumOfSquares(values)), 3);
  assert.equal(countNonFiniteGiven([1, 2], 5), 0);
  // A tensor's elements, counted only when its sum is not finite.
  const tensor = Tensor.fromArray([values.length], values);
  assert.equal(countNonFiniteGiven(tensor, sumOfSquares(tensor)), 3);
  assert.equal(countNonFiniteGiven(tensor, 5), 0);
  tensor.dispose();
});

/**
 * The SIMD kernel sums groups of 8 float32 squares in float32 (one rounding for the product,
 * three for the additions), the groups in float64; the reference path sums in float64.
 */
const KERNEL_RTOL = 4 * 2 ** -24;

test('heap tensors: within 4 float32 roundings of the plain loop, NaN and ∞ kept', () => {
  for (const n of [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 25088]) {
    const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i + 0.5) * 3);
    const tensor = Tensor.fromArray([n], values);
    assertNear(sumOfSquares(tensor), plainSquares(values), KERNEL_RTOL, `n=${n}`);
    assertNear(
      globalNorm([tensor, values]),
      Math.sqrt(2 * plainSquares(values)),
      KERNEL_RTOL,
      `n=${n}`,
    );
    tensor.dispose();
  }
  for (const bad of [NaN, Infinity, -Infinity]) {
    for (const at of [9, 40]) {
      const tensor = Tensor.fromArray(
        [50],
        Array.from({ length: 50 }, (_, i) => (i === at ? bad : 1)),
      );
      const sum = sumOfSquares(tensor);
      assert.ok(Number.isNaN(bad) ? Number.isNaN(sum) : sum === Infinity, `${bad} at ${at}`);
      tensor.dispose();
    }
  }
});

test('where float32 squares overflow or underflow, heap tensors are summed exactly in float64', () => {
  // 3e38² overflows float32; the sum must still be finite, at float64 precision.
  const big = Tensor.fromArray([40], [3e38, 3e38, ...Array.from({ length: 38 }, () => 1)]);
  assertNear(sumOfSquares(big), 2 * Math.fround(3e38) ** 2 + 38, 1e-15, 'overflow');
  // 1e-25² = 1e-50 is below float32's smallest subnormal: a float32 square would be 0.
  const tiny = Float32Array.from({ length: 100 }, (_, i) => 1e-25 * (1 + i / 100));
  const tinyTensor = Tensor.fromArray([100], tiny);
  assertNear(sumOfSquares(tinyTensor), plainSquares(tiny), 1e-13, 'underflow');
  assert.ok(sumOfSquares(tinyTensor) > 0);
  const zeros = Tensor.zeros([64]);
  assert.equal(sumOfSquares(zeros), 0);
  for (const t of [big, tinyTensor, zeros]) t.dispose();
});

test('allFinite: false exactly where a value is NaN or ±∞, on heap views, other arrays and lists', () => {
  for (const n of [1, 7, 8, 9, 33, 1000]) {
    const tensor = Tensor.fromArray(
      [n],
      Array.from({ length: n }, (_, i) => (i % 2 ? 3e38 : -1e-30)),
    );
    const view = tensor.data.subarray(n > 1 ? 1 : 0);
    const own = Float32Array.from(tensor.data);
    // Largest float32s, whose squares overflow float32, are finite.
    for (const values of [tensor.data, view, own, [...own]]) assert.equal(allFinite(values), true);
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of new Set([0, n >> 1, n - 1])) {
        const saved = tensor.data[at];
        tensor.data[at] = bad;
        own[at] = bad;
        assert.equal(allFinite(tensor.data), false, `heap n=${n} at ${at}: ${bad}`);
        assert.equal(allFinite(own), false, `own n=${n} at ${at}: ${bad}`);
        assert.equal(allFinite([...own]), false, `list n=${n} at ${at}: ${bad}`);
        tensor.data[at] = saved;
        own[at] = saved;
      }
    }
    tensor.dispose();
  }
  assert.equal(allFinite([]), true);
});

test('sumsOfSquares: each tensor’s sum in one call, the same as one by one, and their total', () => {
  const sizes = [0, 5, 33, 25088, 1, 64];
  const tensors = sizes.map((n, k) =>
    Tensor.fromArray(
      [n],
      Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.7 + k) * (k + 1)),
    ),
  );
  tensors[4].data[0] = NaN;
  // Longer lists than the kernel's first table: it grows.
  const many = [...tensors, ...tensors, ...tensors];
  const out = new Float64Array(many.length);
  const total = sumsOfSquares(many, out);
  let expected = 0;
  for (let k = 0; k < many.length; k++) {
    const one = sumOfSquares(many[k]);
    if (Number.isNaN(one)) assert.ok(Number.isNaN(out[k]), `tensor ${k}`);
    else assert.equal(out[k], one, `tensor ${k}`);
    expected += one;
  }
  assert.ok(Number.isNaN(total) && Number.isNaN(expected));
  tensors[4].data[0] = 1;
  const finiteTotal = sumsOfSquares(tensors, out);
  assertNear(
    finiteTotal,
    tensors.reduce((s, t) => s + plainSquares(t.data), 0),
    KERNEL_RTOL,
    'total',
  );
  for (const t of tensors) t.dispose();
});

test('GradientNorms: per variable by reference or by index, and the global norm', () => {
  const a = new Variable('d/kernel', [2, 2], new Float32Array([1, 2, 3, 4]), true);
  const b = new Variable('d/bias', [2], new Float32Array([0, 0]), true);
  a.trainableGrad.data.set([1, 2, 2, 0]);
  b.trainableGrad.data.set([0, 4]);
  const norms = new GradientNorms([a, b]);
  assert.equal(norms.squaresOf(a), 9);
  assert.equal(norms.squaresAt(1), 16);
  assert.equal(norms.total, 5);
  const other = new Variable('e/kernel', [1], new Float32Array([1]), true);
  assert.throws(() => norms.squaresOf(other), /expected one of the measured variables/);
  assert.throws(() => norms.squaresAt(2), /expected an index below 2. Received: index=2/);
});
