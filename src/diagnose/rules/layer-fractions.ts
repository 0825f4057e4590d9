/** Per-layer shares (dead units, saturated units) judged on the late part of training. */
import { finiteMedianOf } from '../../log/series-kernels.js';
import { seriesLength, type Series } from '../run-data.js';
import { spanLength } from '../series.js';

/** Share of records at the end of training a fraction is judged on. */
export const LATE_FRACTION = 0.25;

export interface LateFraction {
  layer: string;
  tag: string;
  /** Median of the last 25% of records. */
  value: number;
  firstStep: number;
  lastStep: number;
}

/** The late median of each layer's fraction series, in model order. */
export function lateFractions(layers: { name: string; series?: Series }[]): LateFraction[] {
  return layers.flatMap(({ name, series }) => {
    const n = seriesLength(series);
    if (series === undefined || n === 0) return [];
    const start = n - spanLength(n, LATE_FRACTION);
    const { steps, values } = series.columns;
    return [
      {
        layer: name,
        tag: series.tag,
        value: finiteMedianOf(values.subarray(start, n)),
        firstStep: steps[start],
        lastStep: steps[n - 1],
      },
    ];
  });
}
