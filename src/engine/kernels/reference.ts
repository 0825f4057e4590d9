/**
 * The plain-TypeScript kernels: the definition of each product, used as the tests' reference.
 * Sums run in float64 and round once when stored, so they are at least as exact as the SIMD
 * kernels' float32 sums.
 */
import { checkOperands, type Kernels } from './kernels.js';

export const referenceKernels: Kernels = {
  name: 'reference',

  matmul(a, b, c, m, k, n, accumulate) {
    checkOperands('matmul', a, b, c, m, k, n);
    const A = a.data;
    const B = b.data;
    const C = c.data;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = accumulate ? C[i * n + j] : 0;
        for (let p = 0; p < k; p++) sum += A[i * k + p] * B[p * n + j];
        C[i * n + j] = sum;
      }
    }
  },

  matmulTransA(a, b, c, m, k, n, accumulate) {
    checkOperands('matmulTransA', a, b, c, m, k, n);
    const A = a.data;
    const B = b.data;
    const C = c.data;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = accumulate ? C[i * n + j] : 0;
        for (let p = 0; p < k; p++) sum += A[p * m + i] * B[p * n + j];
        C[i * n + j] = sum;
      }
    }
  },

  matmulTransB(a, b, c, m, k, n, accumulate) {
    checkOperands('matmulTransB', a, b, c, m, k, n);
    const A = a.data;
    const B = b.data;
    const C = c.data;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = accumulate ? C[i * n + j] : 0;
        for (let p = 0; p < k; p++) sum += A[i * k + p] * B[j * k + p];
        C[i * n + j] = sum;
      }
    }
  },
};
