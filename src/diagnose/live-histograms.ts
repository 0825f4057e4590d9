/**
 * A live run's parameter histograms (live-run.ts), kept as the rules read them. Bucketing a
 * histogram costs about 9 nanoseconds a value (log/series-kernels.ts), copying one about one: so
 * while the rules read every histogram of a tag, each is bucketed as it comes, and once they
 * read only the first and the latest (its stand-in scalars have come, live-run.ts
 * `standIns`), only the values of those two are copied, each bucketed when first read.
 */
import { computeHistogram, type Bucket } from '../log/histograms.js';
import type { HistogramPoint } from '../log/points.js';

/**
 * One histogram as recorded: a HistogramPoint whose buckets are computed on first read (its
 * values dropped then), so that a rule that reads only the steps (or the first histogram) does
 * not bucket the latest. A getter of the class, not a property defined on each list of points:
 * that made every list a dictionary, measured 5% of an evaluation of the reference model.
 */
class KeptHistogram implements HistogramPoint {
  readonly wallTime = 0;
  constructor(
    private values: Float32Array | null,
    readonly step: number,
    private readonly bucketCount: number,
    private bucketed: Bucket[] | null = null,
  ) {}

  /** As another thread's column takes it: the values copied, unless bucketed already. */
  sent(): SentHistogram {
    const { step, bucketCount, bucketed } = this;
    return { step, bucketCount, values: bucketed ? null : this.values!.slice(), buckets: bucketed };
  }

  static received(sent: SentHistogram): KeptHistogram {
    return new KeptHistogram(sent.values, sent.step, sent.bucketCount, sent.buckets);
  }

  get buckets(): Bucket[] {
    if (this.bucketed === null) {
      this.bucketed = computeHistogram(this.values!, this.bucketCount).buckets;
      this.values = null;
    }
    return this.bucketed;
  }
}

/** A histogram as a delta carries it (KeptHistogram.sent): plain data, for postMessage. */
export interface SentHistogram {
  step: number;
  bucketCount: number;
  values: Float32Array | null;
  buckets: Bucket[] | null;
}

/**
 * What a column got since its last `takeDelta`, for a column on another thread
 * (`HistogramColumn.received`, `appendDelta`).
 */
export interface HistogramDelta {
  /** The histograms added to the kept list since; the first comes in the first delta. */
  every: (HistogramPoint | SentHistogram)[];
  /** Whether the column keeps only the first and the latest now. */
  replaced: boolean;
  /** The latest, if it changed since. */
  latest: SentHistogram | null;
}

/**
 * One parameter histogram tag: every histogram while none came after its stand-ins
 * (`replaced`), then the first and the latest.
 */
export class HistogramColumn {
  /** Every histogram so far, bucketed; null from the first one that came replaced. */
  private every: HistogramPoint[] | null = [];
  private readonly first: KeptHistogram;
  private latest: KeptHistogram | null = null;
  /** The latest values, reused while their length stays: the engine's tensors keep theirs. */
  private latestValues: Float32Array | null = null;
  /** What the last `takeDelta` gave: the kept histograms up to here, and whether the first. */
  private everySent = 0;
  private firstSent = false;
  private latestSent: KeptHistogram | null = null;

  constructor(
    values: ArrayLike<number> | KeptHistogram,
    step: number,
    bucketCount: number,
    replaced: boolean,
  ) {
    this.first =
      values instanceof KeptHistogram
        ? values
        : new KeptHistogram(copied(values, null), step, bucketCount);
    if (replaced) this.every = null;
    else this.every!.push(this.first);
  }

  /**
   * What came since the last call, for a column on another thread (`received`, `appendDelta`);
   * the values of the first and the latest histograms are copied, not bucketed.
   */
  takeDelta(): HistogramDelta {
    const sent = (point: HistogramPoint) => (point instanceof KeptHistogram ? point.sent() : point);
    const every = this.every === null ? [] : this.every.slice(this.everySent).map(sent);
    if (this.every === null && !this.firstSent) every.unshift(this.first.sent());
    this.everySent = this.every?.length ?? 0;
    this.firstSent = true;
    const latest = this.latest !== this.latestSent ? this.latest!.sent() : null;
    this.latestSent = this.latest;
    return { every, replaced: this.every === null, latest };
  }

  /** A column made from another thread's first delta (`takeDelta`). */
  static received(delta: HistogramDelta): HistogramColumn {
    const [first, ...rest] = delta.every.map(receivedPoint);
    const column = new HistogramColumn(first as KeptHistogram, first.step, 0, false);
    column.every!.push(...rest);
    column.appendDelta({ ...delta, every: [] });
    return column;
  }

  /** Takes in what another thread's column gave after its first delta. */
  appendDelta(delta: HistogramDelta): void {
    if (this.every !== null) this.every.push(...delta.every.map(receivedPoint));
    if (delta.replaced) this.every = null;
    if (delta.latest !== null) this.latest = KeptHistogram.received(delta.latest);
  }

  /** Whether a histogram came after its stand-ins: from then on only the latest is kept. */
  get replaced(): boolean {
    return this.every === null;
  }

  add(values: ArrayLike<number>, step: number, bucketCount: number, replaced: boolean): void {
    if (this.every !== null && !replaced) {
      const buckets = computeHistogram(values, bucketCount).buckets;
      this.every.push({ step, wallTime: 0, buckets });
      return;
    }
    this.every = null;
    this.latestValues = copied(values, this.latestValues);
    this.latest = new KeptHistogram(this.latestValues, step, bucketCount);
  }

  /**
   * Every histogram, or the first and the latest, each of those two bucketed when its buckets
   * are first read.
   */
  points(): HistogramPoint[] {
    if (this.every !== null) return this.every.slice();
    return this.latest === null ? [this.first] : [this.first, this.latest];
  }
}

/** A point of a delta as the receiving column keeps it. */
function receivedPoint(point: HistogramPoint | SentHistogram): HistogramPoint {
  return 'bucketCount' in point ? KeptHistogram.received(point) : point;
}

/** `values` copied into `into` when it has their length, else into a new array. */
function copied(values: ArrayLike<number>, into: Float32Array | null): Float32Array {
  const copy =
    into !== null && into.length === values.length ? into : new Float32Array(values.length);
  copy.set(values);
  return copy;
}
