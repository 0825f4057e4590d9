/** The norm utilities of src/engine/norms.ts, against plain loops and literal values. */
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  countNonFinite,
  countNonFiniteGiven,
  globalNorm,
  l2Norm,
  sumOfSquares,
} from '../../src/engine/norms.js';
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
});

test('heap tensors are summed by the SIMD kernel: same sums as the plain loop, NaN and ∞ kept', () => {
  for (const n of [0, 1, 3, 7, 8, 9, 15, 16, 17, 25088]) {
    const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i + 0.5) * 3);
    const tensor = Tensor.fromArray([n], values);
    assertNear(sumOfSquares(tensor), plainSquares(values), 1e-13, `n=${n}`);
    assertNear(globalNorm([tensor, values]), Math.sqrt(2 * plainSquares(values)), 1e-13, `n=${n}`);
    tensor.dispose();
  }
  const big = Tensor.fromArray([3], [3e38, 3e38, 1]);
  assertNear(sumOfSquares(big), 2 * 9e76 + 1, 1e-7, 'float64 accumulation');
  for (const bad of [NaN, Infinity]) {
    const tensor = Tensor.fromArray(
      [11],
      Array.from({ length: 11 }, (_, i) => (i === 9 ? bad : 1)),
    );
    assert.ok(!Number.isFinite(sumOfSquares(tensor)), `${bad}`);
  }
});
