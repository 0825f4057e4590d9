/**
 * Fused multiply-add, a·b + c rounded once, in plain JavaScript (which has no fma).
 *
 * Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using
 * rounding to odd" (IEEE Trans. Computers, 2008): with a·b = uh + ul and c + uh = th + tl
 * exactly, fma = RN(th + RO(tl + ul)), where RO rounds to odd. Exact for operands whose
 * product and sum neither overflow nor underflow, which holds wherever gradscope uses it.
 */

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's split into two 26-bit halves

const scratch = new Float64Array(1);
// The low word is words[0] on the little-endian machines Node runs on.
const words = new Uint32Array(scratch.buffer);

/** Rounds x + y to the neighbouring double with an odd significand unless the sum is exact. */
function addRoundToOdd(x: number, y: number): number {
  const sum = x + y;
  const yPart = sum - x;
  const error = x - (sum - yPart) + (y - yPart);
  if (error === 0) return sum;
  scratch[0] = sum;
  if (words[0] & 1) return sum;
  // The exact sum lies between `sum` and its neighbour on the side of `error`; that
  // neighbour is odd because `sum` is even.
  if (sum > 0 === error > 0) {
    words[0] += 1;
  } else {
    if (words[0] === 0) words[1] -= 1;
    words[0] -= 1;
  }
  return scratch[0];
}

/** a·b + c with a single rounding, like C's `fma`. */
export function fma(a: number, b: number, c: number): number {
  const product = a * b;
  const aBig = SPLITTER * a;
  const aHigh = aBig - (aBig - a);
  const aLow = a - aHigh;
  const bBig = SPLITTER * b;
  const bHigh = bBig - (bBig - b);
  const bLow = b - bHigh;
  const productError = aHigh * bHigh - product + aHigh * bLow + aLow * bHigh + aLow * bLow;

  const sum = c + product;
  const productPart = sum - c;
  const sumError = c - (sum - productPart) + (product - productPart);
  return sum + addRoundToOdd(sumError, productError);
}
