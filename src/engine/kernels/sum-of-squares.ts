/**
 * Σ x² over tensors: SIMD (assembly/sum-of-squares.ts) and the reference. The SIMD kernel sums
 * groups of 8 squares in float32 and the groups in float64 (relative error ≤ 2.4e-7, below the
 * float32 the probes store norms in; exact float64 where float32 would overflow or underflow);
 * the reference sums every square in float64. `each` measures a list of tensors in one call
 * into the kernel, as the probes and the clipper do every step.
 */
import { heap } from '../heap.js';
import type { Tensor } from '../tensor.js';
import { vectorWasm } from './vector-wasm.js';

export interface SumOfSquaresKernel {
  /** Σ x² over the tensor, in float64: NaN or Infinity exactly when an element is. */
  one(x: Tensor): number;
  /** Σ x² of each tensor into `out[k]` (as `one`); returns the sum of them. */
  each(tensors: readonly Tensor[], out: Float64Array | number[]): number;
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
  each(tensors, out) {
    let total = 0;
    for (let k = 0; k < tensors.length; k++) total += out[k] = referenceOne(tensors[k]);
    return total;
  },
};

/**
 * The heap block `each` passes to the kernel: per tensor, its address and length (two u32) and
 * room for its sum (one f64). Kept from call to call and grown when a longer list comes.
 */
const scratch = { ptr: 0, capacity: 0, table: new Uint32Array(0), sums: new Float64Array(0) };
const SCRATCH_BYTES_PER_TENSOR = 16;

function reserve(count: number): void {
  if (count <= scratch.capacity) return;
  if (scratch.capacity > 0) heap.release(scratch.ptr, scratch.capacity * SCRATCH_BYTES_PER_TENSOR);
  const capacity = Math.max(count, 2 * scratch.capacity, 16);
  const ptr = heap.alloc(capacity * SCRATCH_BYTES_PER_TENSOR);
  const buffer = heap.memory.buffer;
  scratch.ptr = ptr;
  scratch.capacity = capacity;
  scratch.table = new Uint32Array(buffer, ptr, 2 * capacity);
  scratch.sums = new Float64Array(buffer, ptr + 8 * capacity, capacity);
}

export const simdSumOfSquares: SumOfSquaresKernel = {
  one: (x) => vectorWasm.sumOfSquares(x.ptr, x.size),
  each(tensors, out) {
    const count = tensors.length;
    reserve(count);
    const { table, sums } = scratch;
    for (let k = 0; k < count; k++) {
      table[2 * k] = tensors[k].ptr;
      table[2 * k + 1] = tensors[k].size;
    }
    const total = vectorWasm.sumsOfSquares(scratch.ptr, count, scratch.ptr + 8 * scratch.capacity);
    for (let k = 0; k < count; k++) out[k] = sums[k];
    return total;
  },
};
