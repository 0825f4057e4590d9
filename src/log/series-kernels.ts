/**
 * Histogram bucketing, medians and the live run's scalar-log move (src/diagnose/log-move.ts) in
 * WebAssembly (assembly/series.ts): for the live Diagnoser, whose evaluations run a few times a
 * run, mostly as cold code. V8 compiles the module when it is loaded (well under a millisecond),
 * where the same loops in JavaScript ran interpreted at first, then were compiled by the
 * optimizing compiler on a background thread, most of them twice (on the stack, then whole):
 * measured on the reference model's first epoch, 6 ms of bucketing the step-0 weights
 * interpreted, and 10–45 ms per loop on the compiler's thread (`node --trace-opt`: some 165 ms
 * for the Diagnoser's loops, 15 ms since), all of it the Diagnoser's cost in a one-epoch run. Each
 * function is a literal port of the JavaScript it replaced, so the results are the same to the
 * last bit (test/log/series-kernels.test.ts).
 *
 * The module works on a memory of its own, grown to fit the largest call so far. A call lays it
 * out as it needs from address 64 on; the first 64 bytes hold results (a range's min, max and
 * finite count: three f64s) and scratch. For a histogram: its k bucket counts (f64) from 64,
 * then four tables of k + 1 i32 counts (the kernel's scratch), then the input, copied in (a
 * copy costs about a tenth of a nanosecond a value).
 */
import { compileWasm, instantiateOn } from '../engine/kernels/wasm-instance.js';

const FILE = 'series.wasm';
const PAGE_BYTES = 64 << 10;
const RANGE_ADDRESS = 0;
const COUNTS_ADDRESS = 64;

type BucketFinite = (
  at: number,
  n: number,
  out: number,
  counts: number,
  buckets: number,
  tables: number,
  float32: boolean,
) => void;

/** The module's exports (see assembly/series.ts for each). */
export interface SeriesModule {
  bucketFinite: BucketFinite;
  median(at: number, n: number): number;
  finiteMedian(at: number, n: number): number;
  /** The move described at `move`: its fields as log-move.ts `MOVE_FIELDS` lists them. */
  moveRecords(move: number): number;
  /** The rules' passes over whole columns (src/diagnose/column-passes.ts). */
  keepFinite(steps: number, values: number, n: number): number;
  keepFinitePositive(steps: number, a: number, b: number, n: number): number;
  sameSteps(a: number, b: number, n: number): number;
  firstAtLeast(values: number, n: number, limit: number): number;
  divideInto(a: number, b: number, n: number): void;
  finiteCount(values: number, n: number): number;
  finiteMax(values: number, n: number): number;
  sum(values: number, n: number): number;
}

export interface SeriesKernels {
  module: SeriesModule;
  memory: WebAssembly.Memory;
}

let kernels: SeriesKernels | undefined;

/**
 * The module, its memory at least `bytes` long (grown when shorter, which leaves views of it
 * made before empty: make them after this call). Its first 64 bytes hold results.
 */
export function seriesKernels(bytes: number): SeriesKernels {
  if (kernels === undefined) {
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE_BYTES) || 1 });
    kernels = { module: instantiateOn<SeriesModule>(compileWasm(FILE), memory, FILE), memory };
  }
  const { memory } = kernels;
  const short = bytes - memory.buffer.byteLength;
  if (short > 0) memory.grow(Math.ceil(short / PAGE_BYTES));
  return kernels;
}

/** The address `bytes` after `address`, rounded up to 16 bytes. */
function after(address: number, bytes: number): number {
  return (address + bytes + 15) & ~15;
}

/** Where the tables go for a call with `buckets` counts: after them. */
function tablesAddress(buckets: number): number {
  return after(COUNTS_ADDRESS, 8 * buckets);
}

/** Where the input goes for a call with `buckets` counts: after the tables. */
function inputAddress(buckets: number): number {
  return after(tablesAddress(buckets), 16 * (buckets + 1));
}

/** What `bucketFinite` found: the finite values' range and count, and the bucket counts. */
export interface FiniteBuckets {
  min: number;
  max: number;
  finiteCount: number;
  /** Per bucket; valid until the next call of this module. */
  counts: Float64Array;
}

/**
 * The range of the finite values of `values` and, when they span more than one value, their
 * counts in `bucketCount` equal buckets from min to max, the last one closed (log/histograms.ts
 * `computeHistogram`): ⌊(value − min) / width⌋, width = (max − min) / bucketCount, the same
 * float64 as the caller's. A
 * Float32Array is copied as it is, any other input as float64s.
 */
export function bucketFinite(values: ArrayLike<number>, bucketCount: number): FiniteBuckets {
  const f32 = values instanceof Float32Array;
  const at = inputAddress(bucketCount);
  const { module, memory } = seriesKernels(at + values.length * (f32 ? 4 : 8));
  const view = viewsOf(memory.buffer);
  if (f32) view.f32.set(values, at >> 2);
  else view.f64.set(values, at >> 3);
  const tables = tablesAddress(bucketCount);
  module.bucketFinite(at, values.length, RANGE_ADDRESS, COUNTS_ADDRESS, bucketCount, tables, f32);
  const { f64 } = view;
  const counts = f64.subarray(COUNTS_ADDRESS >> 3, (COUNTS_ADDRESS >> 3) + bucketCount);
  const range = RANGE_ADDRESS >> 3;
  return { min: f64[range], max: f64[range + 1], finiteCount: f64[range + 2], counts };
}

/** Views of the whole memory, made again after it grows: a view costs ~0.15 µs to make. */
let views: { buffer: ArrayBuffer; f32: Float32Array; f64: Float64Array } | undefined;

function viewsOf(buffer: ArrayBuffer): { f32: Float32Array; f64: Float64Array } {
  if (views?.buffer !== buffer) {
    views = { buffer, f32: new Float32Array(buffer), f64: new Float64Array(buffer) };
  }
  return views;
}

/** `values` copied into the module's memory; returns their address. */
function copiedIn(values: ArrayLike<number>): { module: SeriesModule; at: number } {
  const at = inputAddress(0);
  const { module, memory } = seriesKernels(at + 8 * values.length);
  new Float64Array(memory.buffer, at, values.length).set(values);
  return { module, at };
}

/**
 * The median (mean of the middle two for an even count) of `values`, which it leaves as they
 * are: engine/statistics.ts `medianInPlace` of a copy, the same to the last bit. NaN for none.
 */
export function medianOf(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  const { module, at } = copiedIn(values);
  return module.median(at, values.length);
}

/** The median of the finite values of `values`, NaN when there are none. */
export function finiteMedianOf(values: ArrayLike<number>): number {
  const { module, at } = copiedIn(values);
  return module.finiteMedian(at, values.length);
}
