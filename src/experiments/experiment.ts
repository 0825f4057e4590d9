/**
 * What every experiment is to the CLI: a name, its flags, and a `run` that returns its
 * machine-readable result (for --json) and its part of the report.
 */
import type { FlagSpec, FlagValues } from './flags.js';
import type { ProgressSink } from './progress.js';
import type { ReportSection } from '../report/types.js';

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
