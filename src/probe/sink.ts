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

/** Keeps every record in memory: scalar series and bucketed histograms, per tag, in arrival order. */
export class MemorySink implements RecordSink {
  readonly scalars = new Map<string, ScalarPoint[]>();
  readonly histograms = new Map<string, HistogramPoint[]>();

  scalar(tag: string, value: number, step: number): void {
    seriesOf(this.scalars, tag).push({ step, value });
  }

  /** Buckets `values` now (TensorBoard's bucketing; non-finite values are left out). */
  histogram(
    tag: string,
    values: ArrayLike<number>,
    step: number,
    options: HistogramOptions = {},
  ): void {
    const buckets = histogramBuckets(values, options.bucketCount ?? DEFAULT_BUCKET_COUNT);
    seriesOf(this.histograms, tag).push({ step, buckets });
  }

  /** The scalar series of `tag`; empty when nothing was recorded under it. */
  series(tag: string): ScalarPoint[] {
    return this.scalars.get(tag) ?? [];
  }

  /** The histograms recorded under `tag`; empty when none. */
  histogramSeries(tag: string): HistogramPoint[] {
    return this.histograms.get(tag) ?? [];
  }
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

function seriesOf<T>(map: Map<string, T[]>, tag: string): T[] {
  let series = map.get(tag);
  if (!series) map.set(tag, (series = []));
  return series;
}
