/**
 * The shapes of what a run holds, as every consumer reads them through `RunProvider`: one
 * module, so the report, `diagnose` and the dashboard all see the same points whether the run
 * came from event files or from memory.
 */
import type { Bucket } from './histograms.js';

export type { Bucket } from './histograms.js';

export interface ScalarPoint {
  step: number;
  /** Seconds since the Unix epoch. */
  wallTime: number;
  value: number;
}

/**
 * A tag's scalar points as columns: point i is (steps[i], wallTimes[i], values[i]), in the order
 * they were written. The arrays are as long as the series. They may share memory with the
 * provider's index (a read copies nothing), so they are read, never written.
 */
export interface ScalarColumns {
  readonly steps: Float64Array;
  /** Seconds since the Unix epoch. */
  readonly wallTimes: Float64Array;
  readonly values: Float64Array;
}

export interface HistogramPoint {
  step: number;
  /** Seconds since the Unix epoch. */
  wallTime: number;
  buckets: Bucket[];
}

/** A text summary at one step (verdicts are written as text). */
export interface TextPoint {
  step: number;
  /** Seconds since the Unix epoch. */
  wallTime: number;
  text: string;
}

export interface RunTags {
  /** Tags holding scalars, sorted. */
  scalars: string[];
  /** Tags holding histograms, sorted. */
  histograms: string[];
  /** Tags holding text, sorted. */
  texts: string[];
  /**
   * Every tag above, each once, in the order its first record appears in the run (event files
   * in name order, records in file order). Writers log a model's parameters in model order, so
   * the parameter tags in this order go from the input side to the output side: this is how
   * `diagnose` orders layers of runs it did not write.
   */
  order: string[];
}
