/**
 * The writing side of a run, as probes and experiments use it: one event file per writer,
 * scalars, histograms and text in TensorBoard 2.x form, every value on disk as soon as it is added
 * (or, between `hold` and `flush`, at the flush).
 */
import { EventFileWriter } from './event-writer.js';
import {
  computeHistogram,
  DEFAULT_BUCKET_COUNT,
  histogramSummaryValue,
  type Bucket,
} from './histograms.js';
import type { ScalarGroup } from '../probe/sink.js';
import { textSummaryValue, type TextSink } from './text.js';

export interface HistogramWriteArgs {
  /** Number of equal-width buckets when raw values are given. Defaults to 30. */
  bucketCount?: number;
  /** Seconds since the Unix epoch. Defaults to now. */
  wallTime?: number;
}

export interface RunWriterArgs {
  /**
   * The gradscope command that trains the run ('depth'): recorded in the file's writer name so
   * that diagnose's remedies name only flags that command takes. Defaults to none (remedies may
   * then name any gradscope flag).
   */
  command?: string;
}

export class RunWriter implements TextSink {
  private readonly file: EventFileWriter;

  /** Creates `logdir` if needed and opens a new event file in it. */
  constructor(logdir: string, args: RunWriterArgs = {}) {
    this.file = new EventFileWriter(logdir, args.command);
  }

  /** Path of the event file being written. */
  get path(): string {
    return this.file.path;
  }

  /**
   * Records `value` (stored as float32) under `tag` at `step`. `wallTime` is in seconds since
   * the Unix epoch and defaults to now.
   */
  scalar(tag: string, value: number, step: number, wallTime?: number): void {
    this.file.addScalar(tag, value, step, wallTime);
  }

  /** The scalars of `tags`, written together (RecordSink.scalarGroup). */
  scalarGroup(tags: readonly string[]): ScalarGroup {
    return this.file.scalarGroup(tags);
  }

  /**
   * Until `flush`, records are kept and written together, scalars of one step and wall time as
   * one event (the probes hold during each callback). Without it each is written as it comes.
   */
  hold(): void {
    this.file.hold();
  }

  /** Writes the held records with one write; later records are written as they come. */
  flush(): void {
    this.file.flush();
  }

  /**
   * Records a histogram under `tag` at `step`, either of raw `values` (bucketed by
   * `computeHistogram`; a Float32Array is read in place) or of ready `Bucket`s. An empty plain
   * array counts as empty values. Returns the number of non-finite values left out (0 for
   * buckets).
   */
  histogram(
    tag: string,
    values: ArrayLike<number> | readonly Bucket[],
    step: number,
    args: HistogramWriteArgs = {},
  ): number {
    const { bucketCount = DEFAULT_BUCKET_COUNT, wallTime } = args;
    const summary = isBucketList(values)
      ? { buckets: values, nonFiniteCount: 0 }
      : computeHistogram(values, bucketCount);
    this.file.addSummary([histogramSummaryValue(tag, summary.buckets)], step, wallTime);
    return summary.nonFiniteCount;
  }

  /**
   * Records `text` under `tag` at `step` as a TensorBoard text summary (markdown there).
   * `wallTime` is in seconds since the Unix epoch and defaults to now.
   */
  text(tag: string, text: string, step: number, wallTime?: number): void {
    this.file.addSummary([textSummaryValue(tag, text)], step, wallTime);
  }

  /** Closes the event file; further writes throw. */
  close(): void {
    this.file.close();
  }
}

function isBucketList(values: ArrayLike<number> | readonly Bucket[]): values is readonly Bucket[] {
  return Array.isArray(values) && values.length > 0 && typeof values[0] === 'object';
}
