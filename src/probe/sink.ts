/**
 * Where probe records go. `RunWriter` (src/log/run-writer.ts) satisfies `RecordSink` and writes
 * TensorBoard event files; `MemorySink` keeps the records in memory (tests, the live dashboard,
 * benchmarks); `TeeSink` fans out to several sinks.
 */
import { DEFAULT_BUCKET_COUNT, histogramBuckets } from '../log/histograms.js';
import type { Bucket } from '../log/histograms.js';

export interface HistogramOptions {
  /** Number of equal-width buckets. Defaults to 30. */
  bucketCount?: number;
}

export interface RecordSink {
  /** Records `value` under `tag` at `step`; `wallTime` is in seconds since the Unix epoch. */
  scalar(tag: string, value: number, step: number, wallTime?: number): void;
  /**
   * Records the distribution of `values` under `tag` at `step`. `values` may be a view into the
   * engine's buffers: a sink reads it during the call and never keeps it.
   */
  histogram(tag: string, values: ArrayLike<number>, step: number, options?: HistogramOptions): void;
}

export interface ScalarPoint {
  step: number;
  value: number;
}

export interface HistogramPoint {
  step: number;
  buckets: Bucket[];
}

/**
 * Keeps every record in memory: scalar series and bucketed histograms, per tag, in arrival
 * order. Scalars are stored in growing float64 columns rather than one object per record: no
 * allocation per record (several times cheaper, measured) and nothing for the garbage collector
 * to trace.
 */
export class MemorySink implements RecordSink {
  private readonly scalars = new Map<string, ScalarColumns>();
  private readonly histograms = new Map<string, HistogramPoint[]>();

  scalar(tag: string, value: number, step: number): void {
    let columns = this.scalars.get(tag);
    if (!columns) this.scalars.set(tag, (columns = new ScalarColumns()));
    columns.push(step, value);
  }

  /** Buckets `values` now (TensorBoard's bucketing; non-finite values are left out). */
  histogram(
    tag: string,
    values: ArrayLike<number>,
    step: number,
    options: HistogramOptions = {},
  ): void {
    const buckets = histogramBuckets(values, options.bucketCount ?? DEFAULT_BUCKET_COUNT);
    let series = this.histograms.get(tag);
    if (!series) this.histograms.set(tag, (series = []));
    series.push({ step, buckets });
  }

  /** Tags that hold scalars, in the order they first appeared. */
  scalarTags(): string[] {
    return [...this.scalars.keys()];
  }

  /** Tags that hold histograms, in the order they first appeared. */
  histogramTags(): string[] {
    return [...this.histograms.keys()];
  }

  /** The scalar series of `tag`; empty when nothing was recorded under it. */
  series(tag: string): ScalarPoint[] {
    return this.scalars.get(tag)?.points() ?? [];
  }

  /** The histograms recorded under `tag`; empty when none. */
  histogramSeries(tag: string): HistogramPoint[] {
    return this.histograms.get(tag) ?? [];
  }
}

/** Steps and values of one tag, in two float64 arrays that double when full. */
class ScalarColumns {
  private steps = new Float64Array(64);
  private values = new Float64Array(64);
  private length = 0;

  push(step: number, value: number): void {
    if (this.length === this.steps.length) {
      this.steps = grown(this.steps);
      this.values = grown(this.values);
    }
    this.steps[this.length] = step;
    this.values[this.length] = value;
    this.length++;
  }

  points(): ScalarPoint[] {
    return Array.from({ length: this.length }, (_, i) => ({
      step: this.steps[i],
      value: this.values[i],
    }));
  }
}

function grown(column: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(column.length * 2);
  larger.set(column);
  return larger;
}

/** Passes every record to each of `sinks`, in order. */
export class TeeSink implements RecordSink {
  readonly sinks: readonly RecordSink[];

  constructor(sinks: readonly RecordSink[]) {
    this.sinks = [...sinks];
  }

  scalar(tag: string, value: number, step: number, wallTime?: number): void {
    for (const sink of this.sinks) sink.scalar(tag, value, step, wallTime);
  }

  histogram(
    tag: string,
    values: ArrayLike<number>,
    step: number,
    options?: HistogramOptions,
  ): void {
    for (const sink of this.sinks) sink.histogram(tag, values, step, options);
  }
}
