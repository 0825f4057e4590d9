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

export interface HistogramPoint {
  step: number;
  /** Seconds since the Unix epoch. */
  wallTime: number;
  buckets: Bucket[];
}

export interface RunTags {
  scalars: string[];
  histograms: string[];
}
