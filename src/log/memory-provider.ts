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
import { columnPoints, EMPTY_COLUMNS, grown } from './scalar-columns.js';
import type { TextSink } from './text.js';

/** Room for this many points before a column first doubles. */
const INITIAL_POINTS = 16;

/**
 * The steps and wall times of a scalar group's writes, one point per write, shared by the
 * group's series: a write then appends two numbers per group and one per tag, not three per
 * tag. Only appended to, so views of its first points never change.
 */
class GroupClock {
  steps = new Float64Array(INITIAL_POINTS);
  wallTimes = new Float64Array(INITIAL_POINTS);
  length = 0;

  push(step: number, wallTime: number): void {
    if (this.length === this.steps.length) {
      this.steps = grown(this.steps);
      this.wallTimes = grown(this.wallTimes);
    }
    this.steps[this.length] = step;
    this.wallTimes[this.length++] = wallTime;
  }
}

/**
 * One scalar tag's points as columns. While every point came from one group's writes, its steps
 * and wall times are that group's `clock` (the same points, stored once per group); a point from
 * anywhere else copies them out first, and the series keeps its own from then on.
 */
export class MemorySeries {
  private values = new Float64Array(INITIAL_POINTS);
  private steps: Float64Array<ArrayBuffer> | null = null;
  private wallTimes: Float64Array<ArrayBuffer> | null = null;
  length = 0;

  /** `clock`, when the series is made by a group's first write: the group's series share it. */
  constructor(private clock: GroupClock | null = null) {
    if (clock === null) this.ownColumns();
  }

  /** Whether the series' steps and wall times are `clock`'s. */
  followsClock(clock: GroupClock): boolean {
    return this.clock === clock;
  }

  /** Appends a value at the clock's newest point (only for a series that follows the clock). */
  pushValue(value: number): void {
    if (this.length === this.values.length) this.values = grown(this.values);
    this.values[this.length++] = value;
  }

  push(step: number, wallTime: number, value: number): void {
    if (this.clock !== null) this.ownColumns();
    const steps = this.steps!;
    if (this.length === steps.length) {
      this.steps = grown(steps);
      this.wallTimes = grown(this.wallTimes!);
    }
    this.steps![this.length] = step;
    this.wallTimes![this.length] = wallTime;
    this.pushValue(value);
  }

  /**
   * The points so far, as views (no copy). Later points are written past the views' ends or
   * into new arrays, so a view keeps showing the points it was made with.
   */
  columns(): ScalarColumns {
    const n = this.length;
    const source = this.clock ?? { steps: this.steps!, wallTimes: this.wallTimes! };
    return {
      steps: source.steps.subarray(0, n),
      wallTimes: source.wallTimes.subarray(0, n),
      values: this.values.subarray(0, n),
    };
  }

  /** Steps and wall times of the series' own, with room for as many points as its values. */
  private ownColumns(): void {
    const steps = new Float64Array(this.values.length);
    const wallTimes = new Float64Array(this.values.length);
    if (this.clock !== null) {
      steps.set(this.clock.steps.subarray(0, this.length));
      wallTimes.set(this.clock.wallTimes.subarray(0, this.length));
      this.clock = null;
    }
    this.steps = steps;
    this.wallTimes = wallTimes;
  }
}

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
    this.series(tag).push(step, wallTime, Math.fround(value));
  }

  /**
   * The tags' series are looked up once, at the first write (a tag appears when recorded); those
   * the group makes share its clock (MemorySeries), so a write stores each step once.
   */
  scalarGroup(tags: readonly string[]): ScalarGroup {
    const own = [...tags];
    const clock = new GroupClock();
    let series: MemorySeries[] | null = null;
    return {
      write: (values, step, wallTime) => {
        // A tag listed twice gets two points a write: it keeps steps of its own.
        series ??= own.map((tag) =>
          this.series(tag, own.indexOf(tag) === own.lastIndexOf(tag) ? clock : null),
        );
        this.records += own.length;
        clock.push(step, wallTime);
        for (let k = 0; k < series.length; k++) {
          const tagSeries = series[k];
          const value = Math.fround(values[k]);
          if (tagSeries.followsClock(clock)) tagSeries.pushValue(value);
          else tagSeries.push(step, wallTime, value);
        }
      },
    };
  }

  /**
   * `tag`'s series, made (and the tag put in order) on first use; one made here for a group
   * follows the group's `clock`.
   */
  private series(tag: string, clock: GroupClock | null = null): MemorySeries {
    let columns = this.scalarSeries.get(tag);
    if (columns === undefined) {
      this.order.add(tag);
      this.scalarSeries.set(tag, (columns = new MemorySeries(clock)));
    }
    return columns;
  }

  /** Every scalar tag's points so far, as columns (views: no copy). */
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
