/**
 * The rules' passes over whole scalar columns, in WebAssembly (assembly/columns.ts, in the
 * series module of src/log/series-kernels.ts). Each pass runs once or twice an evaluation, and
 * the live Diagnoser evaluates a few times a run: too seldom for V8 to compile a JavaScript loop
 * before it has run interpreted, at about 100 ns a value (the loss trend's two passes took about
 * 0.5 ms at 1,875 steps), and then compiled on a background thread, which the run pays for too. Each gives what the JavaScript it replaced gave, to the last
 * bit (test/diagnose/column-passes.test.ts).
 */
import { seriesKernels, type SeriesModule } from '../log/series-kernels.js';

/** Two series' values at the steps both have, as columns in the first one's order. */
export interface CommonSteps {
  readonly steps: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
}

/** Where the columns go: after the module's results (series-kernels.ts). */
const COLUMNS_ADDRESS = 64;

/** `columns` copied into the module's memory one after another, at the addresses returned. */
function placed(...columns: ArrayLike<number>[]): {
  module: SeriesModule;
  buffer: ArrayBuffer;
  at: number[];
} {
  const at: number[] = [];
  let end = COLUMNS_ADDRESS;
  for (const column of columns) {
    at.push(end);
    end += 8 * column.length;
  }
  const { module, memory } = seriesKernels(end);
  const { buffer } = memory;
  for (let k = 0; k < columns.length; k++) {
    new Float64Array(buffer, at[k], columns[k].length).set(columns[k]);
  }
  return { module, buffer, at };
}

/** `count` f64s of the module's memory from `address`, copied out. */
function copiedOut(buffer: ArrayBuffer, address: number, count: number): Float64Array {
  return new Float64Array(buffer, address, count).slice();
}

/** The finite values of `values` in order, and the steps of the same places (new arrays). */
export function finitePoints(
  steps: Float64Array,
  values: Float64Array,
): { steps: Float64Array; values: Float64Array } {
  const { module, buffer, at } = placed(steps, values);
  const count = module.keepFinite(at[0], at[1], values.length);
  return { steps: copiedOut(buffer, at[0], count), values: copiedOut(buffer, at[1], count) };
}

/**
 * The steps and values of `a` and `b` (paired by place: the same steps) where both are finite
 * and b is positive, in order (new arrays).
 */
export function finitePositivePairs(
  steps: Float64Array,
  a: Float64Array,
  b: Float64Array,
): CommonSteps {
  const { module, buffer, at } = placed(steps, a, b);
  const count = module.keepFinitePositive(at[0], at[1], at[2], steps.length);
  return {
    steps: copiedOut(buffer, at[0], count),
    a: copiedOut(buffer, at[1], count),
    b: copiedOut(buffer, at[2], count),
  };
}

/** Whether `a` and `b` hold the same steps, each larger than the one before. */
export function sameSteps(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const { module, at } = placed(a, b);
  return module.sameSteps(at[0], at[1], a.length) !== 0;
}

/** The place of the first value at or above `limit`, −1 when none is. */
export function firstAtLeast(values: Float64Array, limit: number): number {
  const { module, at } = placed(values);
  return module.firstAtLeast(at[0], values.length, limit);
}

/**
 * The median of the ratios a[i] / b[i] (the mean of the middle two for an even count, NaN for
 * none): series-kernels.ts `medianOf` of them.
 */
export function medianOfRatios(a: Float64Array, b: Float64Array): number {
  if (a.length === 0) return NaN;
  const { module, at } = placed(a, b);
  module.divideInto(at[0], at[1], a.length);
  return module.median(at[0], a.length);
}

/** How many of `values` are finite. */
export function finiteCount(values: ArrayLike<number>): number {
  const { module, at } = placed(values);
  return module.finiteCount(at[0], values.length);
}

/** The largest finite value of `values`, −Infinity when none is. */
export function finiteMax(values: ArrayLike<number>): number {
  const { module, at } = placed(values);
  return module.finiteMax(at[0], values.length);
}

/** The mean of `values`, summed in order (NaN for none). */
export function mean(values: ArrayLike<number>): number {
  const { module, at } = placed(values);
  return module.sum(at[0], values.length) / values.length;
}
