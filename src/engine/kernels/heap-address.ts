/**
 * Whether arrays are views on the heap, where the wasm kernels can reach them by address.
 * Tensors' `data` always are; arrays a caller made itself (tests, scratch) are not, and the
 * SIMD kernels hand those to the reference loop instead.
 */
import { heap } from '../heap.js';

export function onHeap(...arrays: readonly (Float32Array | null)[]): boolean {
  return arrays.every((array) => array === null || heap.owns(array.buffer));
}

/** The heap byte address of `array`, 0 for null (the kernels' "absent"). */
export function address(array: Float32Array | null): number {
  return array === null ? 0 : array.byteOffset;
}
