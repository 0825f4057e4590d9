/**
 * An engine Dataset over an ImageSet: bytes stay bytes, each batch is converted on the way in.
 *
 * Each batch's images are copied, still one byte per pixel, into a small staging block in the
 * engine's heap, and a SIMD kernel scales them straight into the model's input tensor
 * (gathering and scaling with a JavaScript loop took about a fifth of a Fashion-MNIST epoch).
 * The set itself stays where it is: copying the whole of it into the heap, as before, put
 * 52 MB more in every thread that trained on Fashion-MNIST, beside the shared copy they read.
 * Where the native kernels run, one call reads each image where the set lies and scales it
 * straight into the tensor (native/gather.c), with the same bits: only the indices are staged.
 */
import type { Dataset } from '../engine/dataset.js';
import { heap } from '../engine/heap.js';
import { backend } from '../engine/kernels/index.js';
import { nativeGatherScaled } from '../engine/kernels/native.js';
import { gatherImageBatch } from './image-set.js';
import type { ImageSet } from './image-set.js';

/** Samples of shape [rows, cols] scaled to [0, 1]; labels are class indices (one per sample). */
export function imageDataset(set: ImageSet): Dataset {
  if (set.count === 0) throw new RangeError('imageDataset: the image set is empty');
  const size = set.rows * set.cols;
  const images = set.images.subarray(0, set.count * size);
  const nativeGather = backend.name === 'simd' ? nativeGatherScaled(heap.memory) : null;
  // The heap blocks a batch is staged in: its images (for the wasm kernel; none for the native
  // one), and the indices the kernel reads, the batch's own natively, else 0 … capacity − 1.
  let staged = 0;
  let indexBlock = 0;
  let capacity = 0;
  const stagedBytes = (count: number) => (nativeGather === null ? count * size : 0);
  return {
    count: set.count,
    sampleShape: [set.rows, set.cols],
    labels: set.labels,
    labelSize: 1,
    gatherSamples(order, start, count, out) {
      if (!heap.owns(out.buffer) || out.length < count * size) {
        // Not a heap tensor (or too short to be one): the checked JavaScript path.
        gatherImageBatch(set, order, start, count, out);
        return;
      }
      if (count > capacity) {
        if (capacity > 0) {
          if (stagedBytes(capacity) > 0) heap.release(staged, stagedBytes(capacity));
          heap.release(indexBlock, capacity * 4);
        }
        if (stagedBytes(count) > 0) staged = heap.alloc(stagedBytes(count));
        indexBlock = heap.alloc(count * 4);
        capacity = count;
        const indices = new Int32Array(heap.memory.buffer, indexBlock, count);
        for (let b = 0; b < count; b++) indices[b] = b;
      }
      const buffer = heap.memory.buffer;
      const indices = nativeGather === null ? null : new Int32Array(buffer, indexBlock, count);
      const stage = nativeGather === null ? new Uint8Array(buffer, staged, count * size) : null;
      for (let b = 0; b < count; b++) {
        const index = order[start + b];
        if (!(Number.isInteger(index) && index >= 0 && index < set.count)) {
          throw new RangeError(
            `imageDataset: indices must be integers in [0, ${set.count}). ` +
              `Received: indices[${start + b}]=${index}`,
          );
        }
        if (indices !== null) indices[b] = index;
        else stage!.set(images.subarray(index * size, (index + 1) * size), b * size);
      }
      // The kernels write through the address; `out` stays valid too (the heap is shared).
      if (nativeGather !== null) nativeGather(images, indexBlock, count, size, out.byteOffset);
      else backend.gatherBytesScaled(staged, indexBlock, count, size, out.byteOffset);
    },
  };
}

/**
 * The first `count` images of `set`, sharing its memory (for quick runs and tests), or with
 * `copy` in memory of their own, so that holding them does not hold the whole set.
 */
export function firstImages(set: ImageSet, count: number, { copy = false } = {}): ImageSet {
  const n = Math.min(count, set.count);
  const size = set.rows * set.cols;
  const take = copy ? 'slice' : 'subarray';
  return {
    ...set,
    count: n,
    images: set.images[take](0, n * size),
    labels: set.labels[take](0, n),
  };
}
