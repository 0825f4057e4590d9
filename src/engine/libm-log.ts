/**
 * Natural logarithm bit-for-bit equal to glibc's `log` on x86-64 CPUs with FMA (the
 * `__log_fma` variant glibc ≥ 2.28 selects at load time), which is what numpy calls in its
 * legacy Gaussian. `Math.log` is accurate too, but rounds differently from glibc for about
 * 3% of arguments, which would change the last digit of numpy-compatible `randn` draws.
 *
 * The operation order, including every multiply-add gcc fused, follows the machine code of
 * glibc 2.36's `__ieee754_log_fma`; the algorithm is Szabolcs Nagy's (Arm optimized-routines):
 * log(x) = k·ln2 + log(c) + log1p(z/c − 1) for x = 2^k·z, with c from a 128-entry table.
 */
import { fma } from './fma.js';
import { LN2_HI, LN2_LO, POLY as A, POLY_NEAR_ONE as B, TABLE } from './libm-log-data.js';

const TABLE_BITS = 7;
/** Bits of 0.6875: subtracting it maps [0.6875, 1.375)·2^k onto table index and exponent k. */
const OFF_HIGH = 0x3fe60000;
/** Below 1 − 2^−4 and from 1 + 0x1.09p−4 on, the table path is used. */
const NEAR_ONE_LOW = 1 - 2 ** -4;
const NEAR_ONE_HIGH = 1 + 0x109 * 2 ** -12;
const SPLIT = 2 ** 27;
const MIN_NORMAL = 2 ** -1022;

const scratch = new Float64Array(1);
// The high word is words[1] on the little-endian machines Node runs on.
const words = new Uint32Array(scratch.buffer);

/** log(x) for x close to 1, where the table would lose accuracy. */
function logNearOne(x: number): number {
  if (x === 1) return 0;
  const r = x - 1;
  const r2 = r * r;
  const r3 = r * r2;
  const p1 = fma(r2, B[3], fma(r, B[2], B[1]));
  const p2 = fma(r2, B[6], fma(r, B[5], B[4]));
  const p3 = fma(r3, B[10], fma(r2, B[9], fma(r, B[8], B[7])));
  const poly = fma(fma(p3, r3, p2), r3, p1);
  // Split r so that rHigh² is exact, then r − r²/2 as hi + lo.
  const shifted = fma(r, SPLIT, r);
  const rHigh = fma(-SPLIT, r, shifted);
  const rLow = r - rHigh;
  const rHigh2 = rHigh * rHigh;
  const hi = fma(rHigh2, B[0], r);
  let lo = fma(rHigh2, B[0], r - hi);
  lo = fma(B[0] * rLow, rHigh + r, lo);
  return hi + fma(poly, r3, lo);
}

/**
 * glibc's log for positive normal x (the only arguments the polar method produces); other
 * arguments fall back to `Math.log`, whose special values (0, ∞, NaN, negatives) agree.
 */
export function libmLog(x: number): number {
  if (x >= NEAR_ONE_LOW && x < NEAR_ONE_HIGH) return logNearOne(x);
  if (!(x >= MIN_NORMAL && x < Infinity)) return Math.log(x);
  scratch[0] = x;
  const high = words[1];
  const offset = (high - OFF_HIGH) | 0;
  const i = (offset >>> (20 - TABLE_BITS)) & ((1 << TABLE_BITS) - 1);
  const k = offset >> 20;
  words[1] = high - (offset & 0xfff00000);
  const z = scratch[0];
  const invc = TABLE[2 * i];
  const logc = TABLE[2 * i + 1];

  const r = fma(z, invc, -1);
  const w = fma(k, LN2_HI, logc);
  const hi = w + r;
  const lo = fma(k, LN2_LO, w - hi + r);
  const r2 = r * r;
  const poly = fma(fma(r, A[4], A[3]), r2, fma(r, A[2], A[1]));
  return fma(r * r2, poly, fma(r2, A[0], lo)) + hi;
}
