/**
 * Runs kept in memory behind the same `RunProvider` interface as event files: tests, in-process
 * consumers and a live diagnoser read them exactly as they would read a run directory. Each run
 * is also a `RecordSink`, so probes write into it as they write into a RunWriter.
 *
 * Values are stored as the event files store them — scalars rounded to float32, histograms
 * bucketed by the same `computeHistogram` — so a run reads the same from memory as from disk.
 */
import { ValueError } from '../engine/errors.js';
import type { HistogramOptions, RecordSink, ScalarGroup } from '../probe/sink.js';
import { nowSeconds } from './event-writer.js';
import { computeHistogram, DEFAULT_BUCKET_COUNT } from './histograms.js';
import type { HistogramPoint, RunTags, ScalarColumns, ScalarPoint, TextPoint } from './points.js';
import type { ReadWarning, RunProvider } from './provider.js';
import { GroupBlock, MemorySeries } from './memory-series.js';
import { columnPoints, EMPTY_COLUMNS } from './scalar-columns.js';
import type { TextSink } from './text.js';

/** One run's records, per tag in arrival order; tags keep their first-appearance order. */
export class MemoryRun implements RecordSink, TextSink {
  readonly scalarSeries = new Map<string, MemorySeries>();
  readonly histogramSeries = new Map<string, HistogramPoint[]>();
  readonly textSeries = new Map<string, TextPoint[]>();
  /** Every tag, of any kind, in first-appearance order (RunTags.order). */
  readonly order = new Set<string>();
  /** Records taken so far: the run's version. */
  records = 0;

  scalar(tag: string, value: number, step: number, wallTime = nowSeconds()): void {
    this.records++;
    this.series(tag).push(step, wallTime, value);
  }

  /**
   * The tags' series are looked up once, at the first write (a tag appears when recorded); those
   * the group makes follow its block (memory-series.ts), the others get their values passed.
   */
  scalarGroup(tags: readonly string[]): ScalarGroup {
    const own = [...tags];
    const block = new GroupBlock(own.length);
    let made = false;
    return {
      write: (values, step, wallTime) => {
        if (!made) {
          own.forEach((tag, column) => {
            // A tag listed twice gets two points a write: it keeps columns of its own.
            const once = own.indexOf(tag) === own.lastIndexOf(tag);
            const series = this.series(tag, once ? block : null, column);
            if (!series.follows(block, column)) block.left.push({ column, series });
          });
          made = true;
        }
        this.records += own.length;
        block.write(values, step, wallTime);
      },
    };
  }

  /**
   * `tag`'s series, made (and the tag put in order) on first use; made for a group, it follows
   * `block`'s `column`.
   */
  private series(tag: string, block: GroupBlock | null = null, column = 0): MemorySeries {
    let series = this.scalarSeries.get(tag);
    if (series === undefined) {
      this.order.add(tag);
      this.scalarSeries.set(tag, (series = new MemorySeries(block, column)));
    }
    return series;
  }

  /**
   * Every scalar tag's points so far, as columns: views, but for a group's series the values are
   * copied out of its block (MemorySeries.columns).
   */
  scalarColumns(): Map<string, ScalarColumns> {
    const columns = new Map<string, ScalarColumns>();
    for (const [tag, builder] of this.scalarSeries) columns.set(tag, builder.columns());
    return columns;
  }

  /** The run's tags now, as `RunProvider.listTags` returns them. */
  tags(): RunTags {
    return {
      scalars: [...this.scalarSeries.keys()].sort(),
      histograms: [...this.histogramSeries.keys()].sort(),
      texts: [...this.textSeries.keys()].sort(),
      order: [...this.order],
    };
  }

  text(tag: string, text: string, step: number, wallTime = nowSeconds()): void {
    this.order.add(tag);
    this.records++;
    append(this.textSeries, tag, { step, wallTime, text });
  }

  histogram(
    tag: string,
    values: ArrayLike<number>,
    step: number,
    options: HistogramOptions = {},
  ): void {
    const { buckets } = computeHistogram(values, options.bucketCount ?? DEFAULT_BUCKET_COUNT);
    this.order.add(tag);
    this.records++;
    append(this.histogramSeries, tag, { step, wallTime: nowSeconds(), buckets });
  }
}

export class MemoryProvider implements RunProvider {
  private readonly runs = new Map<string, MemoryRun>();

  /** The run called `name`, created empty on first use. */
  run(name: string): MemoryRun {
    let run = this.runs.get(name);
    if (run === undefined) this.runs.set(name, (run = new MemoryRun()));
    return run;
  }

  async listRuns(): Promise<string[]> {
    return [...this.runs.keys()].sort();
  }

  async listTags(run: string): Promise<RunTags> {
    return this.existing(run).tags();
  }

  async readScalars(run: string, tag: string): Promise<ScalarPoint[]> {
    return columnPoints(await this.readScalarColumns(run, tag));
  }

  async readScalarColumns(run: string, tag: string): Promise<ScalarColumns> {
    return this.existing(run).scalarSeries.get(tag)?.columns() ?? EMPTY_COLUMNS;
  }

  async readHistograms(run: string, tag: string): Promise<HistogramPoint[]> {
    return (this.existing(run).histogramSeries.get(tag) ?? []).map((point) => ({
      ...point,
      buckets: point.buckets.map((bucket) => ({ ...bucket })),
    }));
  }

  async readTexts(run: string, tag: string): Promise<TextPoint[]> {
    return (this.existing(run).textSeries.get(tag) ?? []).map((point) => ({ ...point }));
  }

  async version(run: string): Promise<string> {
    return String(this.existing(run).records);
  }

  /** Memory holds no damaged records. */
  warnings(): ReadWarning[] {
    return [];
  }

  private existing(run: string): MemoryRun {
    const found = this.runs.get(run);
    if (found === undefined) {
      const known = [...this.runs.keys()].sort().join(', ') || '(none)';
      throw new ValueError(`MemoryProvider: no run '${run}'. Expected one of: ${known}`);
    }
    return found;
  }
}

function append<T>(map: Map<string, T[]>, tag: string, point: T): void {
  const points = map.get(tag);
  if (points === undefined) map.set(tag, [point]);
  else points.push(point);
}
