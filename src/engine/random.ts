/**
 * Random numbers bit-for-bit equal to numpy's legacy `np.random.RandomState`, so that a run
 * seeded here draws the same weights, shuffles and dropout masks as the numpy original.
 *
 * The generator is MT19937. An integer seed goes through numpy's `_legacy_seeding`, which for
 * an int calls `mt19937_seed` (Matsumoto–Nishimura `init_genrand`), not `init_by_array`.
 * Doubles, Gaussians and bounded integers follow numpy's `legacy-distributions.c` and
 * `distributions.c` exactly, including the cached second Gaussian of the polar method. The
 * polar method's logarithm is glibc's (see libm-log.ts), as numpy's is.
 */
import { ValueError } from './errors.js';
import { libmLog } from './libm-log.js';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const MAX_SEED = 0xffffffff;

/** An array whose elements can be assigned: a plain array or any numeric typed array. */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

/** A sample size: a count or a shape (the number of draws is the product of the dims). */
export type Size = number | readonly number[];

function sizeToCount(size: Size, caller: string): number {
  const dims = typeof size === 'number' ? [size] : size;
  for (const dim of dims) {
    if (!Number.isInteger(dim) || dim < 0) {
      throw new ValueError(
        `RandomState.${caller}: dimensions must be non-negative integers. ` +
          `Received: [${dims.join(', ')}]`,
      );
    }
  }
  return dims.reduce((product, dim) => product * dim, 1);
}

/** The smallest all-ones bit mask covering `max` (numpy's `gen_mask`), for max < 2**32. */
function maskFor(max: number): number {
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

export class RandomState {
  private readonly key = new Uint32Array(N);
  private pos = N;
  /** Whether `gauss` holds the unused second value of the last polar-method pair. */
  private hasGauss = false;
  private gauss = 0;

  /** Seeds like `np.random.RandomState(seed)`. Defaults to 0. */
  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Reseeds like `np.random.seed(seed)`; also drops the cached Gaussian. */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new ValueError(
        `RandomState: seed must be an integer between 0 and 2**32 - 1. Received: seed=${seed}`,
      );
    }
    const key = this.key;
    key[0] = seed;
    for (let i = 1; i < N; i++) {
      const prev = key[i - 1];
      key[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
    }
    this.pos = N;
    this.hasGauss = false;
    this.gauss = 0;
  }

  /** One raw 32-bit output of MT19937, as an unsigned integer. */
  nextUint32(): number {
    if (this.pos === N) this.twist();
    let y = this.key[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A double in [0, 1) with 53 random bits: (a·2^26 + b) / 2^53 from two 32-bit draws. */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform [0, 1) samples in the given shape, like `np.random.rand(...shape)`. */
  rand(...shape: number[]): Float64Array {
    const out = new Float64Array(sizeToCount(shape, 'rand'));
    for (let i = 0; i < out.length; i++) out[i] = this.randomSample();
    return out;
  }

  /**
   * A standard normal draw by the Marsaglia polar method. Each accepted pair yields two
   * values; the second is cached and returned by the next call, as numpy's legacy code does.
   */
  standardNormal(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const cached = this.gauss;
      this.gauss = 0;
      return cached;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * libmLog(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** Standard normal samples in the given shape, like `np.random.randn(...shape)`. */
  randn(...shape: number[]): Float64Array {
    const out = new Float64Array(sizeToCount(shape, 'randn'));
    for (let i = 0; i < out.length; i++) out[i] = this.standardNormal();
    return out;
  }

  /**
   * Samples of loc + scale·z, z standard normal (numpy's legacy `normal`).
   * `loc` defaults to 0, `scale` to 1, `size` to 1.
   */
  normal(loc = 0, scale = 1, size: Size = 1): Float64Array {
    if (!(scale >= 0)) {
      throw new ValueError(`RandomState.normal: scale must be >= 0. Received: scale=${scale}`);
    }
    const out = new Float64Array(sizeToCount(size, 'normal'));
    for (let i = 0; i < out.length; i++) out[i] = loc + scale * this.standardNormal();
    return out;
  }

  /** Samples of low + (high − low)·u, u uniform in [0, 1). Defaults: low 0, high 1, size 1. */
  uniform(low = 0, high = 1, size: Size = 1): Float64Array {
    const range = high - low;
    if (!Number.isFinite(range)) {
      throw new ValueError(
        `RandomState.uniform: high - low must be finite. Received: low=${low}, high=${high}`,
      );
    }
    const out = new Float64Array(sizeToCount(size, 'uniform'));
    for (let i = 0; i < out.length; i++) out[i] = low + range * this.randomSample();
    return out;
  }

  /**
   * An integer in [low, high), like numpy's legacy `randint(low, high)` with the default int64
   * dtype: masked rejection sampling on 32-bit draws. Supports high − low ≤ 2**32.
   */
  randint(low: number, high: number): number {
    const range = high - low - 1;
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || range < 0) {
      throw new ValueError(
        `RandomState.randint: low and high must be integers with low < high. ` +
          `Received: low=${low}, high=${high}`,
      );
    }
    if (range > MAX_SEED) {
      throw new ValueError(
        `RandomState.randint: high - low must be at most 2**32. Received: ${range + 1}`,
      );
    }
    if (range === 0) return low;
    if (range === MAX_SEED) return low + this.nextUint32();
    const mask = maskFor(range);
    let value: number;
    do value = (this.nextUint32() & mask) >>> 0;
    while (value > range);
    return low + value;
  }

  /** An integer in [0, max] by masked rejection (numpy's `random_interval`), max < 2**32. */
  private interval(max: number): number {
    if (max === 0) return 0;
    const mask = maskFor(max);
    let value: number;
    do value = (this.nextUint32() & mask) >>> 0;
    while (value > max);
    return value;
  }

  /** Shuffles in place exactly like numpy's legacy `RandomState.shuffle` on a 1-d sequence. */
  shuffle<T>(array: MutableArrayLike<T>): void {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const held = array[i];
      array[i] = array[j];
      array[j] = held;
    }
  }

  /** A shuffled 0..n−1, like `np.random.permutation(n)`. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(sizeToCount(n, 'permutation'));
    for (let i = 0; i < out.length; i++) out[i] = i;
    this.shuffle(out);
    return out;
  }

  /** Regenerates the 624-word state block (numpy's `mt19937_gen`). */
  private twist(): void {
    const key = this.key;
    for (let i = 0; i < N; i++) {
      const y = (key[i] & UPPER_MASK) | (key[(i + 1) % N] & LOWER_MASK);
      key[i] = key[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.pos = 0;
  }
}
