/**
 * An engine Dataset over an ImageSet: bytes stay bytes, each batch is converted on the way in.
 *
 * Each batch's images are copied, still one byte per pixel, into a small staging block in the
 * engine's heap, and a SIMD kernel scales them straight into the model's input tensor
 * (gathering and scaling with a JavaScript loop took about a fifth of a Fashion-MNIST epoch).
 * The set itself stays where it is: copying the whole of it into the heap, as before, put
 * 52 MB more in every thread that trained on Fashion-MNIST, beside the shared copy they read.
 */
import type { Dataset } from '../engine/dataset.js';
import { heap } from '../engine/heap.js';
import { backend } from '../engine/kernels/index.js';
import { gatherImageBatch } from './image-set.js';
import type { ImageSet } from './image-set.js';

/** Samples of shape [rows, cols] scaled to [0, 1]; labels are class indices (one per sample). */
export function imageDataset(set: ImageSet): Dataset {
  if (set.count === 0) throw new RangeError('imageDataset: the image set is empty');
  const size = set.rows * set.cols;
  // The staging block: `capacity` images, and the indices 0 … capacity − 1 for the kernel.
  let staged = 0;
  let identity = 0;
  let capacity = 0;
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
          heap.release(staged, capacity * size);
          heap.release(identity, capacity * 4);
        }
        staged = heap.alloc(count * size);
        identity = heap.alloc(count * 4);
        capacity = count;
        const indices = new Int32Array(heap.memory.buffer, identity, count);
        for (let b = 0; b < count; b++) indices[b] = b;
      }
      const stage = new Uint8Array(heap.memory.buffer, staged, count * size);
      for (let b = 0; b < count; b++) {
        const index = order[start + b];
        if (!(Number.isInteger(index) && index >= 0 && index < set.count)) {
          throw new RangeError(
            `imageDataset: indices must be integers in [0, ${set.count}). ` +
              `Received: indices[${start + b}]=${index}`,
          );
        }
        stage.set(set.images.subarray(index * size, (index + 1) * size), b * size);
      }
      // The kernel writes through the address; `out` stays valid too (the heap is shared).
      backend.gatherBytesScaled(staged, identity, count, size, out.byteOffset);
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
