/**
 * Whether arrays are views on the heap, where the wasm kernels can reach them by address.
 * Tensors' `data` always are; arrays a caller made itself (tests, scratch) are not, and the
 * SIMD kernels hand those to the reference loop instead.
 */
import { heap } from '../heap.js';

type HeapArray = Float32Array | null;

/**
 * Whether each array given is on the heap (null counts as on it). Parameters, not a rest array:
 * it runs for nearly every kernel call, several times a layer a step, and a rest array and a
 * callback for `every` were about 120 bytes of garbage a call (2026-12-03).
 */
export function onHeap(
  a: HeapArray,
  b: HeapArray = null,
  c: HeapArray = null,
  d: HeapArray = null,
  e: HeapArray = null,
  f: HeapArray = null,
  g: HeapArray = null,
): boolean {
  return owned(a) && owned(b) && owned(c) && owned(d) && owned(e) && owned(f) && owned(g);
}

/** `onHeap` for a list. */
export function everyOnHeap(arrays: readonly HeapArray[]): boolean {
  return arrays.every(owned);
}

function owned(array: HeapArray): boolean {
  return array === null || heap.owns(array.buffer);
}

/** The heap byte address of `array`, 0 for null (the kernels' "absent"). */
export function address(array: Float32Array | null): number {
  return array === null ? 0 : array.byteOffset;
}
