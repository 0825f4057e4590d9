/** Small statistics over scalar series, shared by the rules. */
import { median } from '../engine/statistics.js';
import type { HistogramPoint, ScalarPoint } from '../log/points.js';

export { median };

/** The finite values of `points`. */
export function finiteValues(points: readonly ScalarPoint[]): number[] {
  const values: number[] = [];
  for (const point of points) if (Number.isFinite(point.value)) values.push(point.value);
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

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Median of the finite values, NaN when there are none. */
export function finiteMedian(points: readonly ScalarPoint[]): number {
  const values = finiteValues(points);
  return values.length === 0 ? NaN : median(values);
}

/** The values of `b` at the steps `a` also has, as pairs in `a`'s order. */
export function atCommonSteps(
  a: readonly ScalarPoint[],
  b: readonly ScalarPoint[],
): { step: number; a: number; b: number }[] {
  const byStep = new Map<number, number>();
  for (const point of b) byStep.set(point.step, point.value);
  const pairs: { step: number; a: number; b: number }[] = [];
  for (const point of a) {
    const other = byStep.get(point.step);
    if (other !== undefined) pairs.push({ step: point.step, a: point.value, b: other });
  }
  return pairs;
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
