/** An engine Dataset over an ImageSet: bytes stay bytes, each batch is converted on the way in. */
import type { Dataset } from '../engine/dataset.js';
import { gatherImageBatch } from './image-set.js';
import type { ImageSet } from './image-set.js';

/** Samples of shape [rows, cols] scaled to [0, 1]; labels are class indices (one per sample). */
export function imageDataset(set: ImageSet): Dataset {
  if (set.count === 0) throw new RangeError('imageDataset: the image set is empty');
  return {
    count: set.count,
    sampleShape: [set.rows, set.cols],
    labels: set.labels,
    labelSize: 1,
    gatherSamples: (indices, start, count, out) =>
      gatherImageBatch(set, indices, start, count, out),
  };
}

/** The first `count` images of `set`, sharing its memory (for quick runs and tests). */
export function firstImages(set: ImageSet, count: number): ImageSet {
  const n = Math.min(count, set.count);
  const size = set.rows * set.cols;
  return {
    ...set,
    count: n,
    images: set.images.subarray(0, n * size),
    labels: set.labels.subarray(0, n),
  };
}
