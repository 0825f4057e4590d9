// The sums behind an activation's mean and std (src/probe/activation-stats.ts `meanAndStd`):
// x₀ (the first value), Σ(x − x₀) and Σ(x − x₀)² in float64, each a chain of additions in
// index order, so that the sums are the JavaScript loop's to the last bit. One array's chain
// waits an addition's latency a value; here four arrays' chains run side by side, two arrays
// to a v128 (one per f64 lane) and two such pairs per loop.

// One (x₀, Σd, Σd²) triple of f64 per array at `out`, for the `count` float32 arrays listed in
// `table` as (byte address, length) u32 pairs.
export function moments(table: usize, count: i32, out: usize): void {
  for (let k = 0; k < count; k += 4) {
    // A group short of four repeats its last array, whose triple is then written twice.
    const last = count - 1;
    quad(table, out, k, min(k + 1, last), min(k + 2, last), min(k + 3, last));
  }
}

@inline function address(table: usize, k: i32): usize {
  return <usize>load<u32>(table + (<usize>k << 3));
}

@inline function length(table: usize, k: i32): i32 {
  return <i32>load<u32>(table + (<usize>k << 3), 4);
}

function quad(table: usize, out: usize, a: i32, b: i32, c: i32, d: i32): void {
  const pa = address(table, a);
  const pb = address(table, b);
  const pc = address(table, c);
  const pd = address(table, d);
  const lengthAB = min(length(table, a), length(table, b));
  const common = min(lengthAB, min(length(table, c), length(table, d))) & ~3;
  const shiftAB = f64x2.replace_lane(f64x2.splat(<f64>load<f32>(pa)), 1, <f64>load<f32>(pb));
  const shiftCD = f64x2.replace_lane(f64x2.splat(<f64>load<f32>(pc)), 1, <f64>load<f32>(pd));
  let sumAB = f64x2.splat(0);
  let sumCD = f64x2.splat(0);
  let squaresAB = f64x2.splat(0);
  let squaresCD = f64x2.splat(0);
  for (let i = 0; i < common; i += 4) {
    const offset = <usize>i << 2;
    const va = v128.load(pa + offset);
    const vb = v128.load(pb + offset);
    const vc = v128.load(pc + offset);
    const vd = v128.load(pd + offset);
    // (x[i], y[i], x[i+1], y[i+1]) and (x[i+2], y[i+2], x[i+3], y[i+3]) for each pair.
    const ab01 = v128.shuffle<f32>(va, vb, 0, 4, 1, 5);
    const ab23 = v128.shuffle<f32>(va, vb, 2, 6, 3, 7);
    const cd01 = v128.shuffle<f32>(vc, vd, 0, 4, 1, 5);
    const cd23 = v128.shuffle<f32>(vc, vd, 2, 6, 3, 7);
    const ab0 = lowDelta(ab01, shiftAB);
    const ab1 = highDelta(ab01, shiftAB);
    const ab2 = lowDelta(ab23, shiftAB);
    const ab3 = highDelta(ab23, shiftAB);
    const cd0 = lowDelta(cd01, shiftCD);
    const cd1 = highDelta(cd01, shiftCD);
    const cd2 = lowDelta(cd23, shiftCD);
    const cd3 = highDelta(cd23, shiftCD);
    sumAB = chain(sumAB, ab0, ab1, ab2, ab3);
    squaresAB = chain(squaresAB, square(ab0), square(ab1), square(ab2), square(ab3));
    sumCD = chain(sumCD, cd0, cd1, cd2, cd3);
    squaresCD = chain(squaresCD, square(cd0), square(cd1), square(cd2), square(cd3));
  }
  rest(pa, length(table, a), common, shiftAB, sumAB, squaresAB, 0, out + <usize>a * 24);
  rest(pb, length(table, b), common, shiftAB, sumAB, squaresAB, 1, out + <usize>b * 24);
  rest(pc, length(table, c), common, shiftCD, sumCD, squaresCD, 0, out + <usize>c * 24);
  rest(pd, length(table, d), common, shiftCD, sumCD, squaresCD, 1, out + <usize>d * 24);
}

// The f32 lanes 0 and 1 of `v` as f64s, less `shift`; lanes 2 and 3 for highDelta.
@inline function lowDelta(v: v128, shift: v128): v128 {
  return f64x2.sub(f64x2.promote_low_f32x4(v), shift);
}

@inline function highDelta(v: v128, shift: v128): v128 {
  return f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)), shift);
}

@inline function square(x: v128): v128 {
  return f64x2.mul(x, x);
}

// (((sum + x0) + x1) + x2) + x3: the loop's order of additions.
@inline function chain(sum: v128, x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  return f64x2.add(f64x2.add(f64x2.add(f64x2.add(sum, x0), x1), x2), x3);
}

// Lane `lane`'s sums, continued over the n − from values left at `p`, as a triple at `out`.
@inline function rest(
  p: usize,
  n: i32,
  from: i32,
  shifts: v128,
  sums: v128,
  squares: v128,
  lane: i32,
  out: usize,
): void {
  const shift = lane == 0 ? f64x2.extract_lane(shifts, 0) : f64x2.extract_lane(shifts, 1);
  let sum = lane == 0 ? f64x2.extract_lane(sums, 0) : f64x2.extract_lane(sums, 1);
  let square = lane == 0 ? f64x2.extract_lane(squares, 0) : f64x2.extract_lane(squares, 1);
  for (let i = from; i < n; i++) {
    const x = <f64>load<f32>(p + (<usize>i << 2)) - shift;
    sum += x;
    square += x * x;
  }
  store<f64>(out, shift);
  store<f64>(out, sum, 8);
  store<f64>(out, square, 16);
}
