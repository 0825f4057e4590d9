/**
 * A dataset the model draws batches from. Samples may live in any form (Fashion-MNIST keeps
 * bytes and converts per batch); labels are one flat array of `labelSize` values per sample.
 */
import { ShapeError, ValueError } from './errors.js';
import { shapeSize, shapeToString } from './tensor.js';
import type { Shape } from './tensor.js';

export interface Dataset {
  readonly count: number;
  /** Shape of one sample, without the batch dim. */
  readonly sampleShape: Shape;
  /** Labels, `labelSize` values per sample, sample-major. */
  readonly labels: ArrayLike<number>;
  readonly labelSize: number;
  /** Writes samples indices[start … start+count) as float32 rows into `out`. */
  gatherSamples(indices: ArrayLike<number>, start: number, count: number, out: Float32Array): void;
}

/** Copies the labels of indices[start … start+count) into `out`. */
export function gatherLabels(
  dataset: Dataset,
  indices: ArrayLike<number>,
  start: number,
  count: number,
  out: Float32Array,
): void {
  const size = dataset.labelSize,
    labels = dataset.labels;
  for (let b = 0; b < count; b++) {
    const from = indices[start + b] * size;
    for (let j = 0; j < size; j++) out[b * size + j] = labels[from + j];
  }
}

/**
 * A dataset over float arrays: `x` holds count × sampleShape values, `y` count × labelSize.
 * Checks that every value is finite and that the counts agree.
 */
export function arrayDataset(
  x: ArrayLike<number>,
  sampleShape: Shape,
  y: ArrayLike<number>,
  labelSize = 1,
): Dataset {
  const sampleSize = shapeSize(sampleShape);
  if (sampleSize === 0 || x.length === 0) {
    throw new ValueError(`Dataset: expected at least one sample. Received: ${x.length} values`);
  }
  if (x.length % sampleSize !== 0) {
    throw new ShapeError(
      `Dataset: ${x.length} values do not divide into samples of shape ${shapeToString(sampleShape)}`,
    );
  }
  const count = x.length / sampleSize;
  if (y.length !== count * labelSize) {
    throw new ShapeError(
      `Dataset: ${count} samples need ${count * labelSize} label values (${labelSize} each). ` +
        `Received: ${y.length}`,
    );
  }
  checkFinite('inputs', x);
  checkFinite('labels', y);
  const values = Float32Array.from(x);
  return {
    count,
    sampleShape,
    labels: Float32Array.from(y),
    labelSize,
    gatherSamples(indices, start, n, out) {
      for (let b = 0; b < n; b++) {
        const from = indices[start + b] * sampleSize;
        out.set(values.subarray(from, from + sampleSize), b * sampleSize);
      }
    },
  };
}

function checkFinite(what: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ValueError(`Dataset: ${what} must be finite. Received: ${what}[${i}]=${values[i]}`);
    }
  }
}
