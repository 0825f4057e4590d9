/**
 * What every experiment is to the CLI: a name, its flags, and a `run` that returns its
 * machine-readable result (for --json) and its part of the report.
 */
import type { FlagSpec, FlagValues } from '../cli/args.js';
import type { ReportSection } from '../report/types.js';

/** Progress of long work; the CLI draws a bar on a terminal, plain lines elsewhere. */
export interface ProgressSink {
  /** Starts a task of `total` units. */
  start(label: string, total: number): void;
  /** Reports `done` units finished so far, with an optional short status. */
  update(done: number, status?: string): void;
  /** Finishes the task with a final status line. */
  finish(status?: string): void;
  /** A line of text that is not progress (a finding, a file written). */
  note(line: string): void;
}

export interface ExperimentContext {
  /** The run directory: event files go in subfolders named after the experiment. */
  outDir: string;
  /** Parsed flags: the common ones (seed, out, json) and the experiment's own. */
  flags: FlagValues;
  progress: ProgressSink;
}

export interface ExperimentOutput {
  /** What `--json` prints. */
  json: unknown;
  /** The experiment's part of the report. */
  sections: ReportSection[];
}

export interface Experiment {
  readonly name: string;
  /** One line for --help. */
  readonly summary: string;
  /** The experiment's own flags (the CLI adds --seed, --out, --json). */
  readonly flags: readonly FlagSpec[];
  /** The seed when --seed is not given (the article's numpy demo uses 3). */
  readonly defaultSeed: number;
  run(context: ExperimentContext): Promise<ExperimentOutput>;
}

/** A flag's value as a number, or `fallback` when absent. */
export function numberFlag(flags: FlagValues, name: string, fallback?: number): number | undefined {
  const value = flags[name];
  return typeof value === 'number' ? value : fallback;
}

export function stringFlag(flags: FlagValues, name: string, fallback?: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : fallback;
}
