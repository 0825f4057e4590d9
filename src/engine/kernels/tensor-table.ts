/**
 * A list of heap tensors as a kernel that takes many in one call reads it (Σ x² of a step's
 * gradients, the probes' activation moments): per tensor its byte address and length (two u32),
 * then room for `resultsPerTensor` f64 results per tensor, in one heap block kept from call to
 * call and grown when a longer list comes. Views of the shared heap stay valid as it grows.
 */
import { heap } from '../heap.js';
import type { Tensor } from '../tensor.js';

export class TensorTable {
  /** Where the table is (the block's start), and where the results go after it. */
  address = 0;
  resultsAddress = 0;
  private capacity = 0;
  private entries = new Uint32Array(0);
  /** The results the kernel wrote, `resultsPerTensor` per tensor in list order. */
  results = new Float64Array(0);

  constructor(private readonly resultsPerTensor: number) {}

  /** Lists `tensors` at `address`, for a kernel to write their results at `resultsAddress`. */
  list(tensors: readonly Tensor[]): void {
    const count = tensors.length;
    if (count > this.capacity) this.grow(count);
    const { entries } = this;
    for (let k = 0; k < count; k++) {
      entries[2 * k] = tensors[k].ptr;
      entries[2 * k + 1] = tensors[k].size;
    }
  }

  private grow(count: number): void {
    const bytesPerTensor = 8 + 8 * this.resultsPerTensor;
    if (this.capacity > 0) heap.release(this.address, this.capacity * bytesPerTensor);
    const capacity = Math.max(count, 2 * this.capacity, 16);
    const ptr = heap.alloc(capacity * bytesPerTensor);
    const { buffer } = heap.memory;
    this.address = ptr;
    this.resultsAddress = ptr + 8 * capacity;
    this.capacity = capacity;
    this.entries = new Uint32Array(buffer, ptr, 2 * capacity);
    this.results = new Float64Array(buffer, ptr + 8 * capacity, this.resultsPerTensor * capacity);
  }
}
