/**
 * Where probe records go: the write side of a run. `RunWriter` (src/log/run-writer.ts) writes
 * them as TensorBoard event files; a `MemoryProvider` run (src/log/memory-provider.ts) keeps them
 * in memory behind the same read interface as event files; `TeeSink` fans out to several sinks.
 * Consumers never read a sink: they read the run through a `RunProvider`.
 */

/** Seconds since the Unix epoch: the unit of every record's wall time (`wall_time` on disk). */
export function nowSeconds(): number {
  return Date.now() / 1000;
}

export interface HistogramOptions {
  /** Number of equal-width buckets. Defaults to 30. */
  bucketCount?: number;
  /**
   * Σx² of the values, where the caller measured it (the probes' norms): finite only if every
   * value is, so a sink that only needs to know that (the live Diagnoser's) need not look.
   * Defaults to none.
   */
  sumOfSquares?: number;
}

/**
 * Scalars of a fixed list of tags, recorded together: the sink looks up what each tag needs once
 * (its series, its encoded bytes) when the group is made, so a write costs a copy per value, not
 * a lookup per tag. Records go out as `scalar` calls in tag order would.
 */
export interface ScalarGroup {
  /** Records `values[k]` under the group's k-th tag at `step` and `wallTime`, for every tag. */
  write(values: ArrayLike<number>, step: number, wallTime: number): void;
}

export interface RecordSink {
  /** Records `value` under `tag` at `step`; `wallTime` is in seconds since the Unix epoch. */
  scalar(tag: string, value: number, step: number, wallTime?: number): void;
  /**
   * Records the distribution of `values` under `tag` at `step`. `values` may be a view into the
   * engine's buffers: a sink reads it during the call and never keeps it.
   */
  histogram(tag: string, values: ArrayLike<number>, step: number, options?: HistogramOptions): void;
  /**
   * Optional: from now until `flush`, the sink may keep records and write them together (a
   * RunWriter then writes a step's scalars as one event, with one system call).
   */
  hold?(): void;
  /** Optional: writes what `hold` kept. The probes call it at the end of each callback. */
  flush?(): void;
  /** Optional: a group of `tags` (see ScalarGroup); without it, `scalarGroup` loops `scalar`. */
  scalarGroup?(tags: readonly string[]): ScalarGroup;
}

/** `sink`'s group of `tags`, or, for a sink without groups, one that records tag by tag. */
export function scalarGroup(sink: RecordSink, tags: readonly string[]): ScalarGroup {
  if (sink.scalarGroup) return sink.scalarGroup(tags);
  const own = [...tags];
  return {
    write(values, step, wallTime) {
      for (let k = 0; k < own.length; k++) sink.scalar(own[k], values[k], step, wallTime);
    },
  };
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

  hold(): void {
    for (const sink of this.sinks) sink.hold?.();
  }

  flush(): void {
    for (const sink of this.sinks) sink.flush?.();
  }

  scalarGroup(tags: readonly string[]): ScalarGroup {
    const groups = this.sinks.map((sink) => scalarGroup(sink, tags));
    return {
      write(values, step, wallTime) {
        for (const group of groups) group.write(values, step, wallTime);
      },
    };
  }
}
