/**
 * The run as the live Diagnoser keeps it while `fit` writes it: what the rules read of it, at a
 * few nanoseconds per record.
 *
 * - Scalars are appended to one log, 8 bytes a record (the tag's index, the value as a float32
 *   as event files store it; steps only where they change), and moved into per-tag columns
 *   (column-pool.ts) when the rules read the run. Training sweeps the caches between two
 *   batches, so what a record costs is mostly the memory it touches: the log touches a few
 *   cache lines per step, where writing each record into its own tag's arrays touched three
 *   or four objects per record (measured in place on the reference model, a step's ~65
 *   records replayed after the step: 3–4 µs into the log, 7.5–9 µs into per-tag arrays, both
 *   with about 1 µs of replaying). Wall times read 0: no rule reads them.
 * - The probes repeat one sequence of tags step after step, so each record's tag index is found
 *   by comparing its tag with the one that came next last time, a map lookup only where the
 *   sequence changes (a group with a longer interval). A scalar group (sink.ts ScalarGroup,
 *   what the probes write through) has its tags' indexes found once, when it is made.
 * - Non-finite values (and positive counts of `nonfinite/…` tags) are looked for once per
 *   step (`nonFiniteArrived`): as a group's records are copied, or by one scan of the records
 *   the step added otherwise. Each tag's records are counted when the log is moved into columns.
 * - Of each parameter's histograms (weights/…, gradients/…; not activations/…, which no rule
 *   reads) the values of the first and of the latest are copied, and each is bucketed when a
 *   rule first reads it (RunContents.histograms takes a function for it, and each element of
 *   the list it gives is computed on first read): the rules read the latest only for runs that
 *   log no norms or update ratios (see run-data.ts), which gradscope's probes always log unless
 *   their interval is 'never', or once `nonfinite` runs (after a non-finite value arrived),
 *   and of the first only the weights' (`poor_initialization`).
 */
import { computeHistogram, DEFAULT_BUCKET_COUNT } from '../log/histograms.js';
import type { HistogramPoint, RunTags, ScalarColumns } from '../log/points.js';
import { ColumnPool } from './column-pool.js';
import type { HistogramOptions, RecordSink, ScalarGroup } from '../probe/sink.js';
import type { RunContents } from './run-data.js';

/** The log's first capacity, in records. */
const FIRST_LOG_RECORDS = 4096;
/**
 * Records (8 bytes each) the log grows to before they are moved into columns even though the
 * rules have not asked: 8 MB.
 */
const LOG_LIMIT = 1 << 20;
/** One histogram as recorded, bucketed on first read. */
class KeptHistogram {
  private bucketed: HistogramPoint | null = null;
  constructor(
    private readonly values: Float32Array,
    private readonly step: number,
    private readonly bucketCount: number,
  ) {}

  point(): HistogramPoint {
    this.bucketed ??= {
      step: this.step,
      wallTime: 0,
      buckets: computeHistogram(this.values, this.bucketCount).buckets,
    };
    return this.bucketed;
  }
}

/** One parameter histogram tag: its first histogram, and the latest one. */
class HistogramColumn {
  private readonly first: KeptHistogram;
  private latest: KeptHistogram | null = null;
  /** The latest values, reused while their length stays: the engine's tensors keep theirs. */
  private latestValues: Float32Array | null = null;

  constructor(values: ArrayLike<number>, step: number, bucketCount: number) {
    this.first = new KeptHistogram(copied(values, null), step, bucketCount);
  }

  add(values: ArrayLike<number>, step: number, bucketCount: number): void {
    this.latestValues = copied(values, this.latestValues);
    this.latest = new KeptHistogram(this.latestValues, step, bucketCount);
  }

  /** The first and the latest histogram, each bucketed when it is first read. */
  points(): HistogramPoint[] {
    const points: HistogramPoint[] = [];
    const first = this.first;
    const latest = this.latest;
    computedOnRead(points, 0, () => first.point());
    if (latest !== null) computedOnRead(points, 1, () => latest.point());
    return points;
  }
}

/** `values` copied into `into` when it has their length, else into a new array. */
function copied(values: ArrayLike<number>, into: Float32Array | null): Float32Array {
  const copy =
    into !== null && into.length === values.length ? into : new Float32Array(values.length);
  copy.set(values);
  return copy;
}

/** Whether `tag` counts non-finite values (`nonfinite/…`): a positive count is one arriving. */
function isCounter(tag: string): boolean {
  return tag.startsWith('nonfinite/');
}

/** Makes `list[index]` a value computed on its first read (defining it sets the list's length). */
function computedOnRead<T>(list: T[], index: number, compute: () => T): void {
  Object.defineProperty(list, index, { get: compute, enumerable: true, configurable: true });
}

export class LiveRun implements RecordSink {
  /** The scalar columns, by tag index. */
  private readonly pool = new ColumnPool();
  /** By tag index: records of the tag in the log (counted by `drain`). */
  private counts = new Int32Array(64);
  /** By tag index: whether the tag counts non-finite values (`nonfinite/…`), 1 or 0. */
  private counterTags = new Uint8Array(64);
  private readonly indexes = new Map<string, number>();
  private readonly histograms = new Map<string, HistogramColumn>();
  /** Every tag in first-appearance order (RunTags.order). */
  private readonly order: string[] = [];
  /** The tags as `contents` gives them, until a new tag appears. */
  private tags: RunTags | null = null;
  /** The scalar tags in the order records last came, their indexes, and the next one's place. */
  private readonly sequence: string[] = [];
  private readonly sequenceIndexes: number[] = [];
  private cursor = 0;
  /**
   * Records not yet in columns, two 32-bit words each: the tag index, and the value as a
   * float32 (a view of the same memory). A record's step is the last one in `stepChanges`.
   */
  private words = new Uint32Array(2 * FIRST_LOG_RECORDS);
  private floats = new Float32Array(this.words.buffer);
  private logged = 0;
  /** The log's steps: where the step changes, (record, step) pairs. */
  private readonly stepChanges: number[] = [];
  private lastStep = NaN;
  /** Records of the log already looked at by `scan`. */
  private scanned = 0;
  private nonFiniteFound = false;

  /** Keeps a scalar record. */
  scalar(tag: string, value: number, step: number): void {
    const c = this.cursor;
    let index: number;
    if (this.sequence[c] === tag) {
      index = this.sequenceIndexes[c];
      this.cursor = c + 1;
    } else index = this.resequence(tag);
    const k = this.logged;
    if (2 * k === this.words.length) this.growLog();
    if (step !== this.lastStep) {
      this.stepChanges.push(k, step);
      this.lastStep = step;
    }
    this.words[2 * k] = index;
    this.floats[2 * k + 1] = value;
    this.logged = k + 1;
  }

  /**
   * A group of `tags` (sink.ts ScalarGroup): each write keeps one record per tag. Its tags'
   * indexes are found at the first write, so that new tags take their place in RunTags.order
   * when their first records come, as single records' do.
   */
  scalarGroup(tags: readonly string[]): ScalarGroup {
    let indexes: Uint32Array | undefined;
    let counters: Uint32Array | undefined;
    return {
      write: (values, step) => {
        if (indexes === undefined) {
          indexes = Uint32Array.from(tags, (tag) => this.indexes.get(tag) ?? this.addColumn(tag));
          counters = Uint32Array.from(tags.flatMap((tag, i) => (isCounter(tag) ? [i] : [])));
        }
        this.logGroup(indexes, counters!, values, step);
      },
    };
  }

  /** `counters`: the places in the group of its `nonfinite/…` tags. */
  private logGroup(
    indexes: Uint32Array,
    counters: Uint32Array,
    values: ArrayLike<number>,
    step: number,
  ): void {
    const n = indexes.length;
    while (2 * (this.logged + n) > this.words.length) this.growLog();
    const k = this.logged;
    if (step !== this.lastStep) {
      this.stepChanges.push(k, step);
      this.lastStep = step;
    }
    const { words, floats } = this;
    if (this.scanned < k) {
      for (let i = 0; i < n; i++) {
        words[2 * (k + i)] = indexes[i];
        floats[2 * (k + i) + 1] = values[i];
      }
      this.logged = k + n;
      return;
    }
    // Nothing waits to be scanned: the group is scanned as it is copied, from its values and
    // its own list of counters, so that the step touches no per-tag table of the run (after a
    // training step each such cache line is a miss).
    let found = false;
    for (let i = 0; i < n; i++) {
      const value = Math.fround(values[i]);
      words[2 * (k + i)] = indexes[i];
      floats[2 * (k + i) + 1] = value;
      // x − x is NaN exactly for NaN and ±Infinity.
      if (value - value !== 0) found = true;
    }
    for (let c = 0; c < counters.length; c++)
      if (floats[2 * (k + counters[c]) + 1] > 0) found = true;
    if (found) this.nonFiniteFound = true;
    this.logged = this.scanned = k + n;
  }

  /** Doubles the log, or moves it into the columns once it holds LOG_LIMIT records. */
  private growLog(): void {
    if (this.logged >= LOG_LIMIT) {
      this.drain();
      return;
    }
    const words = new Uint32Array(2 * this.words.length);
    words.set(this.words);
    this.words = words;
    this.floats = new Float32Array(words.buffer);
  }

  /**
   * The index of `tag`, where it was not the one expected: the sequence restarting, a tag seen
   * elsewhere in the sequence (the cursor moves after it), or a new tag, put into the sequence
   * at the cursor.
   */
  private resequence(tag: string): number {
    if (this.sequence[0] === tag) {
      this.cursor = 1;
      return this.sequenceIndexes[0];
    }
    let index = this.indexes.get(tag);
    if (index !== undefined) {
      this.cursor = this.sequenceIndexes.indexOf(index) + 1;
      return index;
    }
    index = this.addColumn(tag);
    this.sequence.splice(this.cursor, 0, tag);
    this.sequenceIndexes.splice(this.cursor, 0, index);
    this.cursor++;
    return index;
  }

  /** A column for the new scalar tag `tag`; returns its index. */
  private addColumn(tag: string): number {
    const index = this.pool.addColumn();
    if (index === this.counterTags.length) {
      const larger = new Uint8Array(2 * index);
      larger.set(this.counterTags);
      this.counterTags = larger;
      const counts = new Int32Array(2 * index);
      counts.set(this.counts);
      this.counts = counts;
    }
    this.counterTags[index] = isCounter(tag) ? 1 : 0;
    this.indexes.set(tag, index);
    this.addTag(tag);
    return index;
  }

  private addTag(tag: string): void {
    this.order.push(tag);
    this.tags = null;
  }

  /**
   * Whether a non-finite value, or a positive count of a `nonfinite/…` tag, arrived since the
   * last call (the Diagnoser asks once per step).
   */
  nonFiniteArrived(): boolean {
    this.scan();
    const found = this.nonFiniteFound;
    this.nonFiniteFound = false;
    return found;
  }

  /** Looks at the records logged since the last scan for non-finite values and counts. */
  private scan(): void {
    const { words, floats, counterTags } = this;
    let found = false;
    for (let k = this.scanned; k < this.logged; k++) {
      const value = floats[2 * k + 1];
      if (value - value !== 0 || (value > 0 && counterTags[words[2 * k]] === 1)) found = true;
    }
    if (found) this.nonFiniteFound = true;
    this.scanned = this.logged;
  }

  /** Moves the log's records into their columns. */
  private drain(): void {
    this.scan();
    const { words, floats, pool, stepChanges, counts } = this;
    // Counted here, in one pass over the log, rather than as records come.
    for (let k = 0; k < this.logged; k++) counts[words[2 * k]]++;
    pool.reserve(counts);
    pool.appendAll(words, floats, this.logged, stepChanges);
    counts.fill(0);
    this.logged = 0;
    this.scanned = 0;
    stepChanges.length = 0;
    this.lastStep = NaN;
  }

  /** The number of records of scalar `tag` so far. */
  scalarCount(tag: string): number {
    const index = this.indexes.get(tag);
    if (index === undefined) return 0;
    this.drain();
    return this.pool.lengths[index];
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
    this.addTag(tag);
  }

  /**
   * The run so far as `buildRunData` reads it; the point arrays are the run's own. The same
   * `tags` object is given until a new tag appears.
   */
  contents(name: string): RunContents {
    this.drain();
    const scalars = new Map<string, ScalarColumns>();
    for (const [tag, index] of this.indexes) scalars.set(tag, this.pool.columns(index));
    const histograms = new Map<string, () => HistogramPoint[]>();
    for (const [tag, column] of this.histograms) histograms.set(tag, () => column.points());
    this.tags ??= {
      scalars: [...this.indexes.keys()].sort(),
      histograms: [...this.histograms.keys()].sort(),
      texts: [],
      order: [...this.order],
    };
    return { name, tags: this.tags, scalars, histograms };
  }
}
