/**
 * Small statistics over scalar series, shared by the rules. Those a rule may call on every
 * series of a run take the columns (`Series.columns`) as well as points.
 */
import { median } from '../engine/statistics.js';
import { finiteMedianOf } from '../log/series-kernels.js';
import type { HistogramPoint, ScalarColumns, ScalarPoint } from '../log/points.js';
import { pointColumns } from '../log/scalar-columns.js';
import { finitePositivePairs, sameSteps, type CommonSteps } from './column-passes.js';

export { finiteCount, finiteMax, mean } from './column-passes.js';

export { median };

/** Points, or the same points as columns. */
export type Points = readonly ScalarPoint[] | ScalarColumns;

function columnsOf(points: Points): ScalarColumns {
  return isPointList(points) ? pointColumns(points) : points;
}

function isPointList(points: Points): points is readonly ScalarPoint[] {
  return Array.isArray(points);
}

/** How many of `length` points `fraction` of them is: at least `minimum`, at most all. */
export function spanLength(length: number, fraction: number, minimum = 1): number {
  return Math.min(length, Math.max(minimum, Math.ceil(length * fraction)));
}

/** The first and last steps at which `holds` is true of the value; undefined where it never is. */
export function stepsWhere(
  { steps, values }: Pick<ScalarColumns, 'steps' | 'values'>,
  holds: (value: number) => boolean,
): { first: number; last: number } | undefined {
  let first = -1;
  let last = -1;
  for (let i = 0; i < values.length; i++) {
    if (!holds(values[i])) continue;
    if (first < 0) first = i;
    last = i;
  }
  return first < 0 ? undefined : { first: steps[first], last: steps[last] };
}

/** Largest of `values` (−Infinity for none); a loop, since spreading a long series overflows the stack. */
export function maxOf(values: ArrayLike<number>): number {
  let largest = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > largest) largest = values[i];
  return largest;
}

/** Smallest of `values` (Infinity for none). */
export function minOf(values: ArrayLike<number>): number {
  let smallest = Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] < smallest) smallest = values[i];
  return smallest;
}

/** Median of the finite values, NaN when there are none (in WebAssembly: series-kernels.ts). */
export function finiteMedian(points: Points): number {
  return finiteMedianOf(isPointList(points) ? points.map((p) => p.value) : points.values);
}

/** Which pairs `atCommonSteps` keeps: every one, or those where both are finite and b > 0. */
export type PairsKept = 'all' | 'finitePositive';

/**
 * The values of `a` and `b` at the steps `a` also has (the last of `b`'s values where it repeats
 * a step), and of those only the pairs `keep` names.
 */
export function atCommonSteps(a: Points, b: Points, keep: PairsKept = 'all'): CommonSteps {
  // The arrays read once: a live run's columns are getters (run-data.ts columnsReading), each
  // read a few calls, which per element made this loop ten times slower.
  const { steps: xSteps, values: xValues } = columnsOf(a);
  const { steps: ySteps, values: yValues } = columnsOf(b);
  // Tags logged together share their steps: paired by place (column-passes.ts).
  if (sameSteps(xSteps, ySteps)) {
    if (keep === 'finitePositive') return finitePositivePairs(xSteps, xValues, yValues);
    return { steps: xSteps.slice(), a: xValues.slice(), b: yValues.slice() };
  }
  const byStep = new Map<number, number>();
  for (let j = 0; j < ySteps.length; j++) byStep.set(ySteps[j], j);
  const n = xSteps.length;
  const steps = new Float64Array(n);
  const first = new Float64Array(n);
  const second = new Float64Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const j = byStep.get(xSteps[i]) ?? -1;
    if (j < 0) continue;
    const x = xValues[i];
    const y = yValues[j];
    if (keep === 'finitePositive' && !(Number.isFinite(x) && Number.isFinite(y) && y > 0)) continue;
    steps[count] = xSteps[i];
    first[count] = x;
    second[count++] = y;
  }
  return {
    steps: steps.subarray(0, count),
    a: first.subarray(0, count),
    b: second.subarray(0, count),
  };
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
