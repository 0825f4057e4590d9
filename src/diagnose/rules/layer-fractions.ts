/** Per-layer shares (dead units, saturated units) judged on the late part of training. */
import type { Series } from '../run-data.js';
import { finiteMedian, tail } from '../series.js';

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
    if (series === undefined || series.points.length === 0) return [];
    const late = tail(series.points, LATE_FRACTION);
    return [
      {
        layer: name,
        tag: series.tag,
        value: finiteMedian(late),
        firstStep: late[0].step,
        lastStep: late[late.length - 1].step,
      },
    ];
  });
}
