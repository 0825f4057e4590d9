/**
 * Small statistics over scalar series, shared by the rules. Those a rule may call on every
 * series of a run take the columns (`Series.columns`) as well as points.
 */
import { median } from '../engine/statistics.js';
import type { HistogramPoint, ScalarColumns, ScalarPoint } from '../log/points.js';
import { pointColumns } from '../log/scalar-columns.js';

export { median };

/** Points, or the same points as columns. */
export type Points = readonly ScalarPoint[] | ScalarColumns;

function columnsOf(points: Points): ScalarColumns {
  return isPointList(points) ? pointColumns(points) : points;
}

function isPointList(points: Points): points is readonly ScalarPoint[] {
  return Array.isArray(points);
}

/** The finite values of `points`. */
export function finiteValues(points: Points): number[] {
  const values: number[] = [];
  if (isPointList(points)) {
    for (const point of points) if (Number.isFinite(point.value)) values.push(point.value);
  } else {
    const column = points.values;
    for (let i = 0; i < column.length; i++) if (Number.isFinite(column[i])) values.push(column[i]);
  }
  return values;
}

/** The last `fraction` of `points` (at least `minimum` of them, at most all). */
export function tail<T>(points: readonly T[], fraction: number, minimum = 1): T[] {
  const count = Math.min(points.length, Math.max(minimum, Math.ceil(points.length * fraction)));
  return points.slice(points.length - count);
}

/** The first `fraction` of `points` (at least `minimum` of them, at most all). */
export function head<T>(points: readonly T[], fraction: number, minimum = 1): T[] {
  const count = Math.min(points.length, Math.max(minimum, Math.ceil(points.length * fraction)));
  return points.slice(0, count);
}

/** Largest of `values` (−Infinity for none); a loop, since spreading a long series overflows the stack. */
export function maxOf(values: readonly number[]): number {
  let largest = -Infinity;
  for (const value of values) if (value > largest) largest = value;
  return largest;
}

/** Smallest of `values` (Infinity for none). */
export function minOf(values: readonly number[]): number {
  let smallest = Infinity;
  for (const value of values) if (value < smallest) smallest = value;
  return smallest;
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Median of the finite values, NaN when there are none. */
export function finiteMedian(points: Points): number {
  const values = finiteValues(points);
  return values.length === 0 ? NaN : median(values);
}

/**
 * The values of `b` at the steps `a` also has, as pairs in `a`'s order (the last of `b`'s
 * values where it repeats a step).
 */
export function atCommonSteps(a: Points, b: Points): { step: number; a: number; b: number }[] {
  const x = columnsOf(a);
  const y = columnsOf(b);
  const pairs: { step: number; a: number; b: number }[] = [];
  if (sameSteps(x.steps, y.steps)) {
    // Tags logged together share their steps: pair them by index, without a map.
    for (let i = 0; i < x.steps.length; i++)
      pairs.push({ step: x.steps[i], a: x.values[i], b: y.values[i] });
    return pairs;
  }
  const byStep = new Map<number, number>();
  for (let i = 0; i < y.steps.length; i++) byStep.set(y.steps[i], y.values[i]);
  for (let i = 0; i < x.steps.length; i++) {
    const other = byStep.get(x.steps[i]);
    if (other !== undefined) pairs.push({ step: x.steps[i], a: x.values[i], b: other });
  }
  return pairs;
}

/** Whether both hold the same steps, each once, increasing. */
export function sameSteps(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] || (i > 0 && a[i] <= a[i - 1])) return false;
  }
  return true;
}

/** Mean and variance of the values a histogram holds, from its bucket midpoints. */
export function histogramMoments(point: HistogramPoint): {
  count: number;
  mean: number;
  variance: number;
} {
  let count = 0;
  let sum = 0;
  let squares = 0;
  for (const { left, right, count: c } of point.buckets) {
    const middle = (left + right) / 2;
    count += c;
    sum += c * middle;
    squares += c * middle * middle;
  }
  const m = count > 0 ? sum / count : NaN;
  return { count, mean: m, variance: count > 0 ? Math.max(0, squares / count - m * m) : NaN };
}

/** √Σx² of the values a histogram holds, from its bucket midpoints: an estimate of the norm. */
export function histogramNorm(point: HistogramPoint): number {
  let squares = 0;
  for (const { left, right, count } of point.buckets) squares += count * ((left + right) / 2) ** 2;
  return Math.sqrt(squares);
}

/** Whether a histogram holds a non-finite edge (how PyTorch's NaN-poisoned histograms read). */
export function histogramIsNonFinite(point: HistogramPoint): boolean {
  return point.buckets.some(
    (b) => !Number.isFinite(b.left) || !Number.isFinite(b.right) || !Number.isFinite(b.count),
  );
}

/** A number rounded to 4 significant digits for evidence and messages. */
export function round(value: number): number {
  return Number.isFinite(value) && value !== 0 ? Number(value.toPrecision(4)) : value;
}

/** A number as messages show it. */
export function show(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? value.toExponential(2) : String(round(value));
}
