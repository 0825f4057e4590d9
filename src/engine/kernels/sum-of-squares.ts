/**
 * Σ x² over tensors: SIMD (assembly/sum-of-squares.ts) and the reference. The SIMD kernel sums
 * groups of 8 squares in float32 and the groups in float64 (relative error ≤ 2.4e-7, below the
 * float32 the probes store norms in; exact float64 where float32 would overflow or underflow);
 * the reference sums every square in float64. `each` measures a list of tensors in one call
 * into the kernel, as the probes and the clipper do every step.
 */
import type { Tensor } from '../tensor.js';
import { onHeap } from './heap-address.js';
import { TensorTable } from './tensor-table.js';
import { vectorWasm } from './vector-wasm.js';

export interface SumOfSquaresKernel {
  /** Σ x² over the tensor, in float64: NaN or Infinity exactly when an element is. */
  one(x: Tensor): number;
  /** Σ x² of each tensor into `out[k]` (as `one`); returns the sum of them. */
  each(tensors: readonly Tensor[], out: Float64Array | number[]): number;
  /** Σ x² over an array (as `one`): in place where it is a view on the heap, such as a tensor's. */
  ofArray(x: Float32Array): number;
}

/** Σ x² over the first n elements, every square in float64: the reference's sum everywhere. */
export function referenceSquares(x: ArrayLike<number>, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i] * x[i];
  return sum;
}

function referenceOne(t: Tensor): number {
  return referenceSquares(t.data, t.size);
}

export const referenceSumOfSquares: SumOfSquaresKernel = {
  one: referenceOne,
  ofArray: (x) => referenceSquares(x, x.length),
  each(tensors, out) {
    let total = 0;
    for (let k = 0; k < tensors.length; k++) total += out[k] = referenceOne(tensors[k]);
    return total;
  },
};

/** The tensors `each` passes to the kernel, and their sums. */
const table = new TensorTable(1);

export const simdSumOfSquares: SumOfSquaresKernel = {
  one: (x) => vectorWasm.sumOfSquares(x.ptr, x.size),
  ofArray: (x) =>
    onHeap(x) ? vectorWasm.sumOfSquares(x.byteOffset, x.length) : referenceSquares(x, x.length),
  each(tensors, out) {
    table.list(tensors);
    const total = vectorWasm.sumsOfSquares(table.address, tensors.length, table.resultsAddress);
    const sums = table.results;
    for (let k = 0; k < tensors.length; k++) out[k] = sums[k];
    return total;
  },
};
