/** Σ x² over a tensor in float64: SIMD (assembly/sum-of-squares.ts) and the reference. */
import type { Tensor } from '../tensor.js';
import { vectorWasm } from './vector-wasm.js';

/** Σ x² over the tensor, in float64: NaN or Infinity exactly when an element is. */
export type SumOfSquaresKernel = (x: Tensor) => number;

export const referenceSumOfSquares: SumOfSquaresKernel = (t) => {
  const x = t.data;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return sum;
};

export const simdSumOfSquares: SumOfSquaresKernel = (x) => vectorWasm.sumOfSquares(x.ptr, x.size);
