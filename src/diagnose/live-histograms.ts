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
  private bucketed: Bucket[] | null = null;
  constructor(
    private values: Float32Array | null,
    readonly step: number,
    private readonly bucketCount: number,
  ) {}

  get buckets(): Bucket[] {
    if (this.bucketed === null) {
      this.bucketed = computeHistogram(this.values!, this.bucketCount).buckets;
      this.values = null;
    }
    return this.bucketed;
  }
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

  constructor(values: ArrayLike<number>, step: number, bucketCount: number, replaced: boolean) {
    this.first = new KeptHistogram(copied(values, null), step, bucketCount);
    if (replaced) this.every = null;
    else this.every!.push(this.first);
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

/** `values` copied into `into` when it has their length, else into a new array. */
function copied(values: ArrayLike<number>, into: Float32Array | null): Float32Array {
  const copy =
    into !== null && into.length === values.length ? into : new Float32Array(values.length);
  copy.set(values);
  return copy;
}
