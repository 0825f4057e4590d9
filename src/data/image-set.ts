/**
 * Labelled grey-scale images kept as bytes, and the per-batch conversion to floats.
 *
 * A whole Fashion-MNIST training set is 47 MB as bytes and would be 188 MB as float32, so
 * sets stay as bytes and training converts one batch at a time into a reused buffer.
 */

export interface ImageSet {
  /** count × rows × cols pixel intensities 0–255, row-major, one image after another. */
  images: Uint8Array;
  /** count class indices. */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** PIXEL_SCALE[p] = float32(p / 255), as numpy's `x / 255.0` cast to float32 gives. */
const PIXEL_SCALE = Float32Array.from({ length: 256 }, (_, p) => p / 255);

function checkRange(
  caller: string,
  set: ImageSet,
  indices: ArrayLike<number>,
  start: number,
  count: number,
  out: Float32Array,
  width: number,
): void {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0) {
    throw new RangeError(
      `${caller}: start and count must be non-negative integers. ` +
        `Received: start=${start}, count=${count}`,
    );
  }
  if (start + count > indices.length) {
    throw new RangeError(
      `${caller}: start + count must be at most indices.length=${indices.length}. ` +
        `Received: start=${start}, count=${count}`,
    );
  }
  if (out.length < count * width) {
    throw new RangeError(
      `${caller}: out must hold count × ${width} = ${count * width} floats. ` +
        `Received: out.length=${out.length}`,
    );
  }
  for (let b = 0; b < count; b++) {
    const index = indices[start + b];
    if (!Number.isInteger(index) || index < 0 || index >= set.count) {
      throw new RangeError(
        `${caller}: indices must be integers in [0, ${set.count}). ` +
          `Received: indices[${start + b}]=${index}`,
      );
    }
  }
}

/**
 * Writes images indices[start .. start+count) of `set` into `out` as rows of pixel / 255,
 * one image of rows × cols floats per row. Modifies `out` only.
 */
export function gatherImageBatch(
  set: ImageSet,
  indices: ArrayLike<number>,
  start: number,
  count: number,
  out: Float32Array,
): void {
  const size = set.rows * set.cols;
  checkRange('gatherImageBatch', set, indices, start, count, out, size);
  const images = set.images;
  for (let b = 0; b < count; b++) {
    // Typed subarrays give the inner loop bounds V8 can see, so it drops per-element checks.
    const pixels = images.subarray(indices[start + b] * size, (indices[start + b] + 1) * size);
    const row = out.subarray(b * size, (b + 1) * size);
    for (let p = 0; p < pixels.length; p++) row[p] = PIXEL_SCALE[pixels[p]];
  }
}
