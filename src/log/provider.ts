/**
 * The one interface through which the report, `diagnose` and the dashboard read runs, and its
 * implementation over a directory of TensorBoard event files. Nothing else parses event files.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ReadWarning } from './event-reader.js';
import type { HistogramPoint, RunTags, ScalarColumns, ScalarPoint, TextPoint } from './points.js';
import { isEventFileName, RunIndex } from './run-index.js';

export type {
  Bucket,
  HistogramPoint,
  RunTags,
  ScalarColumns,
  ScalarPoint,
  TextPoint,
} from './points.js';
export type { ReadWarning } from './event-reader.js';

export interface RunProvider {
  /** Names of all runs, sorted. */
  listRuns(): Promise<string[]>;
  /** Tags of the run that hold scalars, histograms and texts, each list sorted. */
  listTags(run: string): Promise<RunTags>;
  /** The tag's points in the order they were written (files in name order). */
  readScalars(run: string, tag: string): Promise<ScalarPoint[]>;
  /**
   * The same points as `readScalars`, as columns: what a consumer of long series reads (a
   * million points make no million objects). Empty columns for a tag the run lacks.
   */
  readScalarColumns(run: string, tag: string): Promise<ScalarColumns>;
  readHistograms(run: string, tag: string): Promise<HistogramPoint[]>;
  readTexts(run: string, tag: string): Promise<TextPoint[]>;
  /** Damage found in the event files read so far (see event-reader.ts). */
  warnings(): ReadWarning[];
  /**
   * A token that changes whenever the run's records change (records picked up, a file removed
   * or rewritten) and only then: what caches of a run's derived data are keyed on.
   */
  version(run: string): Promise<string>;
  /**
   * The writers the run's event files name in their first event (`source_metadata.writer`:
   * "gradscope" for gradscope's), each once, sorted; empty when none names one. Absent where
   * the runs are no files (memory).
   */
  writers?(run: string): Promise<string[]>;
}

/**
 * Runs under a log root: a run is any directory (the root included, named '.') that directly
 * contains event files; its name is its path relative to the root, with '/' separators. Every
 * read first picks up records appended since the previous read, so a live run can be polled.
 */
export class DirectoryProvider implements RunProvider {
  private readonly runs = new Map<string, RunIndex>();

  constructor(readonly root: string) {}

  async listRuns(): Promise<string[]> {
    const runs: string[] = [];
    await collectRuns(this.root, this.root, runs);
    return runs.sort();
  }

  async listTags(run: string): Promise<RunTags> {
    return (await this.refreshed(run)).tags();
  }

  async readScalars(run: string, tag: string): Promise<ScalarPoint[]> {
    return (await this.refreshed(run)).scalars(tag);
  }

  async readScalarColumns(run: string, tag: string): Promise<ScalarColumns> {
    return (await this.refreshed(run)).scalarColumns(tag);
  }

  async readHistograms(run: string, tag: string): Promise<HistogramPoint[]> {
    return (await this.refreshed(run)).histograms(tag);
  }

  async readTexts(run: string, tag: string): Promise<TextPoint[]> {
    return (await this.refreshed(run)).texts(tag);
  }

  warnings(): ReadWarning[] {
    return [...this.runs.values()].flatMap((index) => index.warnings());
  }

  async version(run: string): Promise<string> {
    return String((await this.refreshed(run)).generation);
  }

  async writers(run: string): Promise<string[]> {
    return (await this.refreshed(run)).writers();
  }

  private async refreshed(run: string): Promise<RunIndex> {
    const dir = path.resolve(this.root, run);
    const name = runName(this.root, dir);
    if (name === undefined) {
      const expected = `DirectoryProvider: run must name a directory inside ${this.root}.`;
      throw new Error(`${expected} Received: run=${JSON.stringify(run)}`);
    }
    let index = this.runs.get(name);
    if (index === undefined) {
      index = new RunIndex(dir, name);
      this.runs.set(name, index);
    }
    await index.refresh();
    return index;
  }
}

/** The run name of `dir`, or undefined when `dir` lies outside `root`. */
function runName(root: string, dir: string): string | undefined {
  const relative = path.relative(path.resolve(root), dir);
  if (relative === '') return '.';
  const outside = relative === '..' || relative.startsWith(`..${path.sep}`);
  if (outside || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

async function collectRuns(root: string, dir: string, runs: string[]): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return; // a missing root has no runs yet; a directory removed mid-walk has none left
  }
  if (entries.some((entry) => entry.isFile() && isEventFileName(entry.name))) {
    runs.push(runName(root, dir) ?? dir);
  }
  for (const entry of entries) {
    if (entry.isDirectory()) await collectRuns(root, path.join(dir, entry.name), runs);
  }
}
