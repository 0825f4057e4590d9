// Σ x², accumulated in float64 (each float32 square is exact in float64, and the sum cannot
// overflow), 8 values per iteration in four f64x2 accumulators.
export function sumOfSquares(x: usize, n: i32): f64 {
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

