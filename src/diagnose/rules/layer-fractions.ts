/** Per-layer shares (dead units, saturated units) judged on the late part of training. */
import { medianInPlace } from '../../engine/statistics.js';
import { seriesLength, type Series } from '../run-data.js';
import { finiteColumn, spanLength } from '../series.js';

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
    const late = finiteColumn(values, start, n);
    return [
      {
        layer: name,
        tag: series.tag,
        value: late.length === 0 ? NaN : medianInPlace(late),
        firstStep: steps[start],
        lastStep: steps[n - 1],
      },
    ];
  });
}
