/**
 * The plain-TypeScript kernels: the definition of each product, used as the tests' reference.
 * Sums run in float64 and round once when stored, so they are at least as exact as the SIMD
 * kernels' float32 sums.
 */
import type { Tensor } from '../tensor.js';
import { checkOperands, type Kernels } from './kernels.js';
import { referenceSquares } from './sum-of-squares.js';

/** Where element (row, col) of an operand sits: row·rowStride + col·colStride. */
type Strides = readonly [rowStride: number, colStride: number];

/** C (m×n) (+)= A′ (m×k) · B′ (k×n), where A′ and B′ read A and B through their strides. */
function product(
  op: string,
  [a, b, c]: [Tensor, Tensor, Tensor],
  [m, k, n]: [number, number, number],
  accumulate: boolean,
  [aRow, aCol]: Strides,
  [bRow, bCol]: Strides,
  measure = false,
): number {
  checkOperands(op, a, b, c, m, k, n);
  const A = a.data;
  const B = b.data;
  const C = c.data;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = accumulate ? C[i * n + j] : 0;
      for (let p = 0; p < k; p++) sum += A[i * aRow + p * aCol] * B[p * bRow + j * bCol];
      C[i * n + j] = sum;
    }
  }
  return measure ? referenceSquares(C, m * n) : 0;
}

export const referenceKernels: Kernels = {
  name: 'reference',
  // A (m×k) row-major, B (k×n) row-major.
  matmul: (a, b, c, m, k, n, acc, measure) =>
    product('matmul', [a, b, c], [m, k, n], acc, [k, 1], [n, 1], measure),
  // A stored k×m: A'(i, p) = A[p, i].
  matmulTransA: (a, b, c, m, k, n, acc, measure) =>
    product('matmulTransA', [a, b, c], [m, k, n], acc, [1, m], [n, 1], measure),
  // B stored n×k: B'(p, j) = B[j, p].
  matmulTransB: (a, b, c, m, k, n, acc, measure) =>
    product('matmulTransB', [a, b, c], [m, k, n], acc, [k, 1], [1, k], measure),
};
