/**
 * A live run's parameter histograms (live-run.ts), kept as the rules read them. Bucketing a
 * histogram costs about 9 nanoseconds a value (log/series-kernels.ts): so while the rules read
 * every histogram of a tag, each is bucketed as it comes, and once its stand-in scalars have
 * come (live-run.ts `standIns`), only the first and those a rule still reads are kept
 * (`HistogramColumn`), their values copied and each bucketed when first read.
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

/** A histogram kept after its column was replaced, and what it is kept as. */
interface Kept<H> {
  histogram: H;
  /** Whether a value of it is not finite: then it may be the first or the latest such. */
  nonFinite: boolean;
  /** Whether it is kept as the latest histogram (`HistogramColumn.add`, `keepLatest`). */
  latest: boolean;
}

/**
 * What a column got since its last `takeDelta`, for a column on another thread
 * (`HistogramColumn.received`, `appendDelta`).
 */
export interface HistogramDelta {
  /** The histograms added to the kept list since; the first comes in the first delta. */
  every: (HistogramPoint | SentHistogram)[];
  /** Whether the column is replaced now. */
  replaced: boolean;
  /** The histograms kept since it was (`add`), in step order. */
  kept: Kept<SentHistogram>[];
}

/**
 * One parameter histogram tag: every histogram while none came after its stand-ins
 * (`replaced`); from then on the first, and of the later ones only what a rule reads:
 * - the first and the latest that hold a NaN or ±Infinity (`nonfinite`, rules/nonfinite.ts,
 *   reads every histogram and passes over a finite one; the stand-ins serve the other rules);
 * - the latest, once a non-finite record has come in the run (`keepLatest`): `unchanged_weights`
 *   compares the first and the last weights histograms of a parameter whose update ratios are
 *   all non-finite (weights of zero make ‖ΔW‖/‖W‖ NaN).
 * So a histogram of a healthy run costs at most a pass that tells it is finite (`add`'s
 * `allFinite`, from the LiveRun: none where its caller measured a finite Σx²), not a copy of
 * its values.
 */
export class HistogramColumn {
  /** Every histogram so far, bucketed; null from the first one that came replaced. */
  private every: HistogramPoint[] | null = [];
  private readonly first: KeptHistogram;
  private firstNonFinite: KeptHistogram | null = null;
  private latestNonFinite: KeptHistogram | null = null;
  private latest: KeptHistogram | null = null;
  /** What the last `takeDelta` gave: the kept histograms up to here, the first, the others. */
  private everySent = 0;
  private firstSent = false;
  private readonly sent = new Set<KeptHistogram>();

  constructor(
    values: ArrayLike<number> | KeptHistogram,
    step: number,
    bucketCount: number,
    replaced: boolean,
  ) {
    this.first =
      values instanceof KeptHistogram
        ? values
        : new KeptHistogram(copied(values), step, bucketCount);
    if (replaced) this.every = null;
    else this.every!.push(this.first);
  }

  /**
   * What came since the last call, for a column on another thread (`received`, `appendDelta`);
   * the values of the first and the kept histograms are copied, not bucketed.
   */
  takeDelta(): HistogramDelta {
    const sent = (point: HistogramPoint) => (point instanceof KeptHistogram ? point.sent() : point);
    const every = this.every === null ? [] : this.every.slice(this.everySent).map(sent);
    if (this.every === null && !this.firstSent) every.unshift(this.first.sent());
    this.everySent = this.every?.length ?? 0;
    this.firstSent = true;
    const kept = this.keptSince().map((k) => ({ ...k, histogram: k.histogram.sent() }));
    return { every, replaced: this.every === null, kept };
  }

  /** The kept histograms that changed since the last `takeDelta`, in step order (`keep`'s). */
  private keptSince(): Kept<KeptHistogram>[] {
    const { firstNonFinite, latestNonFinite, latest } = this;
    const since: Kept<KeptHistogram>[] = [];
    for (const histogram of [firstNonFinite, latestNonFinite, latest]) {
      if (histogram === null || this.sent.has(histogram)) continue;
      if (since.some((k) => k.histogram === histogram)) continue;
      const nonFinite = histogram === firstNonFinite || histogram === latestNonFinite;
      since.push({ histogram, nonFinite, latest: histogram === latest });
    }
    this.sent.clear();
    for (const histogram of [firstNonFinite, latestNonFinite, latest]) {
      if (histogram !== null) this.sent.add(histogram);
    }
    return since.sort((a, b) => a.histogram.step - b.histogram.step);
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
    for (const k of delta.kept) this.keep({ ...k, histogram: KeptHistogram.received(k.histogram) });
  }

  /** Whether a histogram came after its stand-ins: from then on only some are kept. */
  get replaced(): boolean {
    return this.every === null;
  }

  /**
   * Keeps a histogram: bucketed, while not `replaced`; else if `allFinite` says that a value is
   * not finite, or as the latest where `keepLatest` (a non-finite record has come in the run).
   * Returns whether the column changed: whether its next `takeDelta` has anything to give.
   */
  add(
    values: ArrayLike<number>,
    step: number,
    bucketCount: number,
    { replaced, keepLatest }: { replaced: boolean; keepLatest: boolean },
    allFinite: (values: ArrayLike<number>) => boolean,
  ): boolean {
    if (this.every !== null && !replaced) {
      const buckets = computeHistogram(values, bucketCount).buckets;
      this.every.push({ step, wallTime: 0, buckets });
      return true;
    }
    const replacing = this.every !== null;
    this.every = null;
    const nonFinite = !allFinite(values);
    if (!nonFinite && !keepLatest) return replacing;
    const histogram = new KeptHistogram(copied(values), step, bucketCount);
    this.keep({ histogram, nonFinite, latest: keepLatest });
    return true;
  }

  private keep({ histogram, nonFinite, latest }: Kept<KeptHistogram>): void {
    if (nonFinite && this.firstNonFinite === null) this.firstNonFinite = histogram;
    else if (nonFinite) this.latestNonFinite = histogram;
    if (latest) this.latest = histogram;
  }

  /**
   * Every histogram, or the first and the kept ones (in step order), each of those bucketed
   * when its buckets are first read.
   */
  points(): HistogramPoint[] {
    if (this.every !== null) return this.every.slice();
    const points: HistogramPoint[] = [this.first];
    for (const kept of [this.firstNonFinite, this.latestNonFinite, this.latest]) {
      if (kept !== null && !points.includes(kept)) points.push(kept);
    }
    return points.sort((a, b) => a.step - b.step);
  }
}

/** A point of a delta as the receiving column keeps it. */
function receivedPoint(point: HistogramPoint | SentHistogram): HistogramPoint {
  return 'bucketCount' in point ? KeptHistogram.received(point) : point;
}

/** `values` in an array of their own. */
function copied(values: ArrayLike<number>): Float32Array {
  const copy = new Float32Array(values.length);
  copy.set(values);
  return copy;
}
