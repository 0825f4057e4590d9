/**
 * What every experiment is to the CLI: a name, its flags, a `prepare` that checks every flag
 * and reads every input without writing anything, and a `run` that trains on what `prepare`
 * returned and gives its machine-readable result (for --json) and its part of the report. The
 * CLI prepares every experiment of a command before it touches the run directory, so a bad
 * flag or a missing data file never costs the previous results.
 */
import type { FlagSpec, FlagValues } from './flags.js';
import type { LiveCommand } from './live-diagnosis.js';
import type { ProgressSink } from './progress.js';
import type { ReportSection } from '../report/types.js';

export interface PrepareContext {
  /** Parsed flags: the common ones (seed, out, json) and the experiment's own. */
  flags: FlagValues;
  progress: ProgressSink;
}

/** Files an experiment writes beside its event files (a run's `diverged.json`). */
export interface RunFiles {
  /** Writes `data` to `relPath` below the run directory, listed as gradscope's. */
  writeFile(relPath: string, data: string): void;
}

export interface ExperimentContext {
  /** The run directory: event files go in subfolders named after the experiment. */
  outDir: string;
  /**
   * The experiment's command and the flags it takes (`--learning-rate`): the live Diagnoser's
   * remedies name only these, as the report's do. Defaults to none: remedies may name any flag.
   */
  command?: LiveCommand;
  /** Other files in the run directory go through here (src/log/run-dir.ts). */
  files: RunFiles;
  /** Parsed flags: the common ones (seed, out, json) and the experiment's own. */
  flags: FlagValues;
  progress: ProgressSink;
}

export interface ExperimentOutput {
  /** What `--json` prints. */
  json: unknown;
  /** The experiment's part of the report. */
  sections: ReportSection[];
  /**
   * One message per model whose training stopped at a non-finite value (see
   * engine/terminate-on-nonfinite.ts); the CLI exits non-zero with them. Defaults to none.
   */
  diverged?: string[];
}

/** `Inputs`: what `prepare` hands to `run` (checked flags, loaded data). */
export interface Experiment<Inputs = unknown> {
  readonly name: string;
  /** One line for --help. */
  readonly summary: string;
  /** The experiment's own flags (the CLI adds --seed, --out, --json). */
  readonly flags: readonly FlagSpec[];
  /** The seed when --seed is not given (the article's numpy demo uses 3). */
  readonly defaultSeed: number;
  /**
   * Checks the flags (UsageError) and reads the inputs (DataError); writes nothing. Training
   * happens in `run`.
   */
  prepare(context: PrepareContext): Promise<Inputs>;
  /** Trains on `inputs` from `prepare`, writing event files below `context.outDir`. */
  run(context: ExperimentContext, inputs: Inputs): Promise<ExperimentOutput>;
}
