/**
 * The scalars and histograms of one run directory, kept up to date incrementally: each refresh
 * reads only the bytes appended to each event file since the last one, resuming at the last
 * whole record (a record half-written on one refresh is read whole on a later one).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseEvents, type EventRecord, type ReadWarning } from './event-reader.js';
import { isHistogramSummary, readHistogramValue } from './histograms.js';
import type { HistogramPoint, RunTags, ScalarPoint } from './points.js';
import type { SummaryValueMessage } from './proto.js';
import { isScalarSummary, readScalarValue } from './scalars.js';

/** TensorBoard's own test: a file belongs to a run when its name contains "tfevents". */
export function isEventFileName(name: string): boolean {
  return name.includes('tfevents');
}

type Kind = 'scalars' | 'histograms' | 'other';

interface FileState {
  /** File size when last read; a smaller size means the file was rewritten. */
  size: number;
  /** Offset just past the last whole record read. */
  end: number;
  scalars: Map<string, ScalarPoint[]>;
  histograms: Map<string, HistogramPoint[]>;
  skipped: ReadWarning[];
  stopped?: ReadWarning;
}

export class RunIndex {
  private readonly files = new Map<string, FileState>();
  /** Event file names in the order their points are concatenated. */
  private fileOrder: string[] = [];
  /** A tag's kind is fixed by the first value that reveals it, as in TensorBoard. */
  private readonly kinds = new Map<string, Kind>();
  private lastRefresh: Promise<void> = Promise.resolve();

  /** `dir` must exist when `refresh` is called; `run` names it in errors. */
  constructor(
    private readonly dir: string,
    private readonly run: string,
  ) {}

  /** Reads whatever was appended to the run's event files since the last refresh. */
  refresh(): Promise<void> {
    // Refreshes run one at a time: two overlapping ones would both ingest the same new bytes.
    const next = this.lastRefresh.then(() => this.readAppended());
    this.lastRefresh = next.catch(() => undefined);
    return next;
  }

  private async readAppended(): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(this.dir, { withFileTypes: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `RunIndex: expected run "${this.run}" to be a readable directory. Received: ${reason}`,
      );
    }
    const names = entries.filter((e) => e.isFile() && isEventFileName(e.name)).map((e) => e.name);
    names.sort();
    for (const name of this.files.keys()) if (!names.includes(name)) this.files.delete(name);
    for (const name of names) await this.refreshFile(name);
    this.fileOrder = names;
  }

  tags(): RunTags {
    const scalars = new Set<string>();
    const histograms = new Set<string>();
    for (const state of this.files.values()) {
      for (const tag of state.scalars.keys()) scalars.add(tag);
      for (const tag of state.histograms.keys()) histograms.add(tag);
    }
    return { scalars: [...scalars].sort(), histograms: [...histograms].sort() };
  }

  /** Copies of the tag's scalar points, files in name order, records in file order. */
  scalars(tag: string): ScalarPoint[] {
    return this.orderedStates().flatMap((s) => (s.scalars.get(tag) ?? []).map((p) => ({ ...p })));
  }

  /** Copies of the tag's histogram points, files in name order, records in file order. */
  histograms(tag: string): HistogramPoint[] {
    return this.orderedStates().flatMap((state) =>
      (state.histograms.get(tag) ?? []).map((point) => ({
        ...point,
        buckets: point.buckets.map((bucket) => ({ ...bucket })),
      })),
    );
  }

  /** Current warnings: skipped records stay listed; a stop is listed until reading gets past it. */
  warnings(): ReadWarning[] {
    return this.orderedStates().flatMap((s) => (s.stopped ? [...s.skipped, s.stopped] : s.skipped));
  }

  private orderedStates(): FileState[] {
    return this.fileOrder.flatMap((name) => this.files.get(name) ?? []);
  }

  private async refreshFile(name: string): Promise<void> {
    const file = path.join(this.dir, name);
    let handle;
    try {
      handle = await fs.open(file, 'r');
    } catch {
      return; // removed since listing; the next refresh drops it
    }
    try {
      const { size } = await handle.stat();
      let state = this.files.get(name);
      if (state === undefined || size < state.size) {
        state = { size: 0, end: 0, scalars: new Map(), histograms: new Map(), skipped: [] };
        this.files.set(name, state);
      }
      if (size === state.size) return;
      const bytes = Buffer.alloc(size - state.end);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, state.end);
      const chunk = parseEvents(bytes.subarray(0, bytesRead), file, state.end);
      for (const record of chunk.events) this.ingest(state, file, record);
      state.skipped.push(...chunk.skipped);
      state.stopped = chunk.stopped;
      state.size = state.end + bytesRead;
      state.end = chunk.end;
    } finally {
      await handle.close();
    }
  }

  private ingest(state: FileState, file: string, { offset, event }: EventRecord): void {
    const step = event.step ?? 0;
    const wallTime = event.wallTime ?? 0;
    for (const value of event.summary?.value ?? []) {
      const tag = value.tag ?? '';
      const kind = this.kindOf(tag, value);
      if (kind === 'scalars') {
        const scalar = readScalarValue(value);
        if (scalar === undefined) {
          state.skipped.push({ file, offset, message: undecodable(tag, 'scalar', step) });
        } else {
          append(state.scalars, tag, { step, wallTime, value: scalar });
        }
      } else if (kind === 'histograms') {
        const buckets = readHistogramValue(value);
        if (buckets === undefined) {
          state.skipped.push({ file, offset, message: undecodable(tag, 'histogram', step) });
        } else {
          append(state.histograms, tag, { step, wallTime, buckets });
        }
      }
    }
  }

  private kindOf(tag: string, value: SummaryValueMessage): Kind | undefined {
    let kind = this.kinds.get(tag);
    if (kind === undefined) {
      if (isScalarSummary(value)) kind = 'scalars';
      else if (isHistogramSummary(value)) kind = 'histograms';
      else if (value.metadata?.pluginData !== undefined) kind = 'other';
      if (kind !== undefined) this.kinds.set(tag, kind);
    }
    return kind;
  }
}

function append<T>(map: Map<string, T[]>, tag: string, point: T): void {
  const points = map.get(tag);
  if (points === undefined) map.set(tag, [point]);
  else points.push(point);
}

function undecodable(tag: string, kind: string, step: number): string {
  return `tag "${tag}" at step ${step}: expected a ${kind} value in a known form; value skipped`;
}
