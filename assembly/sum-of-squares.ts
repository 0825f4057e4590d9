// Σ x² over float32 values, the norms of every probe and of the clipper.
//
// The fast path squares and sums groups of 8 values per lane in float32 (one rounding for the
// product and three for a tree of additions: relative error at most 4·2⁻²⁴ ≈ 2.4e-7 per group,
// whatever the length) and accumulates the groups in float64. Converting every square to
// float64, as an exact sum would, costs twice as much: the conversions are the bottleneck.
// Where float32 squares lose more than that — a square or a group sum overflowing float32, or
// values so small that their squares reach float32's subnormal range — the whole tensor is
// summed again exactly in float64, so a non-finite result still means a non-finite element.

// Below TINY·n the float32 squares may have lost precision to underflow: each loses at most
// 2⁻¹⁴⁹, n of them at most n·2⁻¹⁴⁹, which against a sum of at least n·2⁻¹⁰⁰ is below 2⁻⁴⁹.
const TINY: f64 = 7.888609052210118e-31; // 2⁻¹⁰⁰

// Squares of 32 floats at p, summed 8 per lane in float32.
@inline export function squares32(p: usize): v128 {
  const a = v128.load(p), b = v128.load(p, 16), c = v128.load(p, 32), d = v128.load(p, 48);
  const e = v128.load(p, 64), f = v128.load(p, 80), g = v128.load(p, 96), h = v128.load(p, 112);
  const ab = f32x4.add(f32x4.mul(a, a), f32x4.mul(b, b));
  const cd = f32x4.add(f32x4.mul(c, c), f32x4.mul(d, d));
  const ef = f32x4.add(f32x4.mul(e, e), f32x4.mul(f, f));
  const gh = f32x4.add(f32x4.mul(g, g), f32x4.mul(h, h));
  return f32x4.add(f32x4.add(ab, cd), f32x4.add(ef, gh));
}

// Σ x² over n floats at x, each square exact in float64, 8 values per iteration in four f64x2
// accumulators.
function exactSumOfSquares(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  const n8 = n & ~7;
  let i = 0;
  for (; i < n8; i += 8) {
    const off = <usize>i << 2;
    const a = v128.load(x + off), b = v128.load(x + off, 16);
    const a0 = f64x2.promote_low_f32x4(a), a1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(a, a, 2, 3, 0, 1));
    const b0 = f64x2.promote_low_f32x4(b), b1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(b, b, 2, 3, 0, 1));
    s0 = f64x2.add(s0, f64x2.mul(a0, a0));
    s1 = f64x2.add(s1, f64x2.mul(a1, a1));
    s2 = f64x2.add(s2, f64x2.mul(b0, b0));
    s3 = f64x2.add(s3, f64x2.mul(b1, b1));
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    total += v * v;
  }
  return total;
}

// Σ x² over n floats at x, in float64: NaN or Infinity exactly when an element is.
export function sumOfSquares(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  const n32 = n & ~31;
  let i = 0;
  for (; i < n32; i += 32) {
    const t = squares32(x + (<usize>i << 2));
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(t));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(t, t, 2, 3, 0, 1)));
  }
  const s = f64x2.add(s0, s1);
  let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    total += v * v;
  }
  return checkedSquares(total, x, n);
}

// `total`, a float32-squares sum of x² over n floats at x (this file's or a kernel's), or the
// exact float64 sum where float32 squares may have overflowed or underflowed. Also NaN: summed
// again, still NaN, and rare enough not to matter.
export function checkedSquares(total: f64, x: usize, n: i32): f64 {
  if (!(total >= TINY * <f64>n && total < Infinity)) return exactSumOfSquares(x, n);
  return total;
}

// Σ x² of `count` tensors in one call: `table` holds (byte address, length) as two u32 per
// tensor; each sum goes to out[k] (f64), and the return value is their total.
export function sumsOfSquares(table: usize, count: i32, out: usize): f64 {
  let total: f64 = 0;
  for (let k = 0; k < count; k++) {
    const entry = table + (<usize>k << 3);
    const squares = sumOfSquares(<usize>load<u32>(entry), <i32>load<u32>(entry, 4));
    store<f64>(out + (<usize>k << 3), squares);
    total += squares;
  }
  return total;
}
