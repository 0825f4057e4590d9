/**
 * An engine Dataset over an ImageSet: bytes stay bytes, each batch is converted on the way in.
 *
 * The images are copied once into the engine's heap (still one byte per pixel), so a SIMD
 * kernel gathers and scales each batch straight into the model's input tensor; gathering with
 * a JavaScript loop took about a fifth of a Fashion-MNIST epoch.
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
  const images = heap.alloc(set.images.length);
  new Uint8Array(heap.memory.buffer, images, set.images.length).set(set.images);
  let indices = 0;
  let indexCapacity = 0;
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
      // The kernel writes through the address; `out` stays valid too (the heap is shared).
      const outPtr = out.byteOffset;
      if (count > indexCapacity) {
        if (indexCapacity > 0) heap.release(indices, indexCapacity * 4);
        indices = heap.alloc(count * 4);
        indexCapacity = count;
      }
      const batch = new Int32Array(heap.memory.buffer, indices, count);
      for (let b = 0; b < count; b++) {
        const index = order[start + b];
        if (!(Number.isInteger(index) && index >= 0 && index < set.count)) {
          throw new RangeError(
            `imageDataset: indices must be integers in [0, ${set.count}). ` +
              `Received: indices[${start + b}]=${index}`,
          );
        }
        batch[b] = index;
      }
      backend.gatherBytesScaled(images, indices, count, size, outPtr);
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
