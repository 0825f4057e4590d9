/**
 * The run as the live Diagnoser keeps it while `fit` writes it: what the rules read of it, at a
 * few nanoseconds per record.
 *
 * - Scalars go into growing typed columns (step, value), with no object per record;
 *   the ScalarPoint arrays the rules read are extended only when the rules run, by the records
 *   added since they last ran. Values are rounded to float32 as event files store them, and
 *   wall times read 0: no rule reads them.
 * - The probes repeat one sequence of tags step after step, so each record's column is found by
 *   comparing its tag with the one that came next last time, a map lookup only where the
 *   sequence changes (a group with a longer interval).
 * - Of each parameter's histograms (weights/…, gradients/…; not activations/…, which no rule
 *   reads) the first is kept, bucketed (initialization), and the values of the latest are
 *   copied, to be bucketed when a rule first reads them (RunContents.histograms takes a
 *   function for it): the rules read the others only for runs that log no norms or update
 *   ratios (see run-data.ts), which gradscope's probes always log unless their interval is
 *   'never', and `nonfinite` reads them once a non-finite value has arrived.
 */
import { computeHistogram, DEFAULT_BUCKET_COUNT } from '../log/histograms.js';
import type { HistogramPoint, RunTags, ScalarColumns } from '../log/points.js';
import type { HistogramOptions } from '../probe/sink.js';
import type { RunContents } from './run-data.js';

/**
 * One scalar tag's records, as float64 columns like the provider's ScalarColumns (points.ts):
 * values rounded to float32, wall times 0.
 */
export class ScalarColumn {
  /** Whether the tag counts non-finite values (`nonfinite/…`): any positive value is one. */
  readonly countsNonFinite: boolean;
  private steps = new Float64Array(64);
  private values = new Float64Array(64);
  private length = 0;
  constructor(readonly tag: string) {
    this.countsNonFinite = tag.startsWith('nonfinite/');
  }

  add(step: number, value: number): void {
    if (this.length === this.steps.length) {
      this.steps = doubled(this.steps);
      this.values = doubled(this.values);
    }
    this.steps[this.length] = step;
    this.values[this.length] = Math.fround(value);
    this.length++;
  }

  /** The records so far as columns: views of the column's arrays, no copy. */
  columns(): ScalarColumns {
    const n = this.length;
    return {
      steps: this.steps.subarray(0, n),
      wallTimes: zeros(n),
      values: this.values.subarray(0, n),
    };
  }
}

/** n zero wall times, as a view of one array shared by every column. */
let sharedZeros = new Float64Array(1024);
function zeros(n: number): Float64Array {
  if (n > sharedZeros.length) sharedZeros = new Float64Array(2 * n);
  return sharedZeros.subarray(0, n);
}

function doubled(column: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const larger = new Float64Array(2 * column.length);
  larger.set(column);
  return larger;
}

/** One parameter histogram tag: its first histogram, and the latest one's values. */
class HistogramColumn {
  readonly first: HistogramPoint;
  private latest: Float32Array | null = null;
  private latestStep = 0;
  private latestBuckets = DEFAULT_BUCKET_COUNT;
  /** The latest histogram, bucketed when the rules last asked. */
  private bucketed: HistogramPoint | null = null;

  constructor(values: ArrayLike<number>, step: number, bucketCount: number) {
    this.first = { step, wallTime: 0, buckets: computeHistogram(values, bucketCount).buckets };
  }

  add(values: ArrayLike<number>, step: number, bucketCount: number): void {
    if (this.latest === null || this.latest.length !== values.length) {
      this.latest = new Float32Array(values.length);
    }
    this.latest.set(values);
    this.latestStep = step;
    this.latestBuckets = bucketCount;
    this.bucketed = null;
  }

  points(): HistogramPoint[] {
    if (this.latest === null) return [this.first];
    this.bucketed ??= {
      step: this.latestStep,
      wallTime: 0,
      buckets: computeHistogram(this.latest, this.latestBuckets).buckets,
    };
    return [this.first, this.bucketed];
  }
}

export class LiveRun {
  private readonly scalars = new Map<string, ScalarColumn>();
  private readonly histograms = new Map<string, HistogramColumn>();
  /** Every tag in first-appearance order (RunTags.order). */
  private readonly order: string[] = [];
  /** The columns in the order records last came, and where the next record is expected. */
  private readonly sequence: ScalarColumn[] = [];
  private cursor = 0;

  /** Keeps a scalar record; returns its tag's column. */
  scalar(tag: string, value: number, step: number): ScalarColumn {
    const expected = this.sequence[this.cursor];
    const column = expected !== undefined && expected.tag === tag ? expected : this.find(tag);
    this.cursor = expected === column ? this.cursor + 1 : this.sequence.indexOf(column) + 1;
    column.add(step, value);
    return column;
  }

  /** The column of `tag`, made and put into the sequence at the cursor on its first record. */
  private find(tag: string): ScalarColumn {
    let column = this.scalars.get(tag);
    if (column === undefined) {
      column = new ScalarColumn(tag);
      this.scalars.set(tag, column);
      this.order.push(tag);
      this.sequence.splice(this.cursor, 0, column);
    }
    return column;
  }

  /** Keeps what the rules read of a histogram record (see the top of this file). */
  histogram(
    tag: string,
    values: ArrayLike<number>,
    step: number,
    options?: HistogramOptions,
  ): void {
    if (tag.startsWith('activations/')) return;
    const bucketCount = options?.bucketCount ?? DEFAULT_BUCKET_COUNT;
    const column = this.histograms.get(tag);
    if (column !== undefined) {
      column.add(values, step, bucketCount);
      return;
    }
    this.histograms.set(tag, new HistogramColumn(values, step, bucketCount));
    this.order.push(tag);
  }

  /** The run so far as `buildRunData` reads it; the point arrays are the run's own. */
  contents(name: string): RunContents {
    const scalars = new Map<string, ScalarColumns>();
    for (const [tag, column] of this.scalars) scalars.set(tag, column.columns());
    // Bucketed only if a rule reads them (see the top of this file).
    const histograms = new Map<string, () => HistogramPoint[]>();
    for (const [tag, column] of this.histograms) histograms.set(tag, () => column.points());
    const tags: RunTags = {
      scalars: [...this.scalars.keys()].sort(),
      histograms: [...this.histograms.keys()].sort(),
      texts: [],
      order: [...this.order],
    };
    return { name, tags, scalars, histograms };
  }
}
