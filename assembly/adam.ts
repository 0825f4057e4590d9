// Adam's update over whole tensors, 4 lanes at a time; on request returns Σ Δw², the squared
// norm of the applied update. Pointers are byte addresses into the imported memory (the heap).
//
// Moment estimates of weights that rarely get a gradient (border pixels) decay geometrically
// towards float32 subnormals, and tiny gradients square into them. x86 computes any result
// that is subnormal ~100× slower, and WebAssembly has no flush-to-zero mode, so values that
// cannot matter are zeroed before they get there: a moment below TINY changes w by less than
// lr·TINY/ε ≈ 1e-26, and a squared gradient below TINY is dwarfed by ε² in √v + ε.

const TINY: f32 = 1e-30;
const SQRT_TINY: f32 = 1e-15;

// 0 where |x| < the limit, else x: NaN compares false, so it passes through (a diverging run
// must show NaN, not a silently skipped update). Its constants are made once, outside the
// loop: `absMask` clears the sign bit (what f32x4.abs does), `limits` is the limit splat. Made
// at each use, as V8 compiles f32x4.abs and a splat inside the loop, they cost 8% of Adam's
// update here (33.5 against 36.5 µs on 25k weights).
@inline function keepAbove(x: v128, absMask: v128, limits: v128): v128 {
  return v128.andnot(x, f32x4.lt(v128.and(x, absMask), limits));
}

@inline function keepAboveScalar(x: f32, limit: f32): f32 {
  return Mathf.abs(x) < limit ? 0 : x;
}

// One vector of Adam at byte offset `off`; returns Δ. The second moment needs no |·| before its
// comparison with TINY: v + (g² − v)·a2 rounds to ≥ 0 for v ≥ 0, g² ≥ 0, a2 ≤ 1 (each step is
// monotonic and −v is representable), so it equals keepAbove(v, …, TINY) bit for bit.
@inline function adam4(w: usize, g: usize, m: usize, v: usize, off: usize, a1v: v128, a2v: v128, lrv: v128, epsv: v128, tinyv: v128, sqrtTinyv: v128, absv: v128): v128 {
  const gi = v128.load(g + off);
  const gs = keepAbove(gi, absv, sqrtTinyv);
  const m0 = v128.load(m + off), v0 = v128.load(v + off);
  const mi = keepAbove(f32x4.add(m0, f32x4.mul(f32x4.sub(gi, m0), a1v)), absv, tinyv);
  const vr = f32x4.add(v0, f32x4.mul(f32x4.sub(f32x4.mul(gs, gs), v0), a2v));
  const vi = v128.andnot(vr, f32x4.lt(vr, tinyv));
  const delta = f32x4.div(f32x4.mul(lrv, mi), f32x4.add(f32x4.sqrt(vi), epsv));
  v128.store(m + off, mi);
  v128.store(v + off, vi);
  v128.store(w + off, f32x4.sub(v128.load(w + off), delta));
  return delta;
}

// How Σ Δ² is taken (a compile-time constant in each instantiation of adamLoop).
const UNMEASURED = 0;
// Each Δ below SQRT_TINY is zeroed before it is squared (its square would be subnormal): four
// instructions a vector besides the square and the sum.
const GUARDED = 1;
// Each Δ is multiplied by `scale`, a power of two that the caller chose from a bound on |Δ|
// (src/engine/kernels/adam.ts): the scaled squares stay far above the subnormals and far below
// overflow, and Σ (sΔ)² / s² is Σ Δ² (scaling by 2ᵏ is exact). One multiply a vector.
const SCALED = 2;

// Lanes 0–1 of `x`, or lanes 2–3 (`high`), in float64.
@inline function promotedHalf(x: v128, high: bool): v128 {
  return high ? f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1)) : f64x2.promote_low_f32x4(x);
}

// `sums` plus the float64 squares of lanes 0–1 of `x`, or of lanes 2–3 (`high`): a float32's
// square is exact in float64, and overflows nowhere.
@inline function addSquares64(sums: v128, x: v128, high: bool): v128 {
  const half = promotedHalf(x, high);
  return f64x2.add(sums, f64x2.mul(half, half));
}

// total + lane 0 + lane 1 of `sums`, in that order.
@inline function addLanes(total: f64, sums: v128): f64 {
  return total + f64x2.extract_lane(sums, 0) + f64x2.extract_lane(sums, 1);
}

// Sixteens of weights whose squares one float32 group sums, for Σ w²: eight squares a lane, at
// most 8·2⁻²⁴ ≈ 4.8e-7 of relative error a group, and a conversion to float64 per eight
// sixteens instead of per square, which cost more than a pass after the update (11.6 against
// 3.4 µs on the reference model's weights, 2026-12-03).
const WEIGHT_GROUP = 8;

// `sums` plus lanes 0–1 of `x`, or lanes 2–3 (`high`), in float64.
@inline function addHalf(sums: v128, x: v128, high: bool): v128 {
  return f64x2.add(sums, promotedHalf(x, high));
}

// Adam: m += (g − m)·a1;  v += (g² − v)·a2;  Δ = lrT·m/(√v + ε);  w −= Δ. Four vectors per
// iteration (the divide and the square root of one overlap the others' arithmetic: 1.35×
// faster here than one). Σ Δ² as `mode` says (GUARDED costs a fifth of the update). With
// `weights`, Σ w² of the new weights is stored as a float64 at `squaresAt`, in sixteen sums:
// the squares of the k-th of each sixteen weights go in float32 groups of WEIGHT_GROUP into the
// k-th (eight sums of two lanes here, the lanes of two registers in native/adam.c), which are
// then added in order. It is as near as the sum-of-squares pass only where no float32 square
// overflowed nor neared the subnormals: the caller checks (kernels/adam.ts).
@inline function adamLoop(w: usize, g: usize, m: usize, v: usize, n: i32, lrT: f32, a1: f32, a2: f32, eps: f32, mode: i32, scale: f32, weights: bool, squaresAt: usize): f64 {
  const a1v = f32x4.splat(a1), a2v = f32x4.splat(a2), lrv = f32x4.splat(lrT), epsv = f32x4.splat(eps);
  const sv = f32x4.splat(scale);
  const tinyv = f32x4.splat(TINY), sqrtTinyv = f32x4.splat(SQRT_TINY), absv = i32x4.splat(0x7fffffff);
  // Σ Δ² in four sums, one per vector of a group of sixteen weights: a single sum made each
  // group wait on the adds of the last (measured: Σ Δ² cost as much as the update itself).
  let sq0 = f32x4.splat(0), sq1 = sq0, sq2 = sq0, sq3 = sq0;
  let ws0 = f64x2.splat(0), ws1 = ws0, ws2 = ws0, ws3 = ws0, ws4 = ws0, ws5 = ws0, ws6 = ws0, ws7 = ws0;
  const n16 = n & ~15;
  const n4 = n & ~3;
  let i = 0;
  while (i < n16) {
    // One group of Σ w²: WEIGHT_GROUP sixteens (fewer at the end).
    const groupEnd = min(i + 16 * WEIGHT_GROUP, n16);
    let wq0 = f32x4.splat(0), wq1 = wq0, wq2 = wq0, wq3 = wq0;
    for (; i < groupEnd; i += 16) {
      const off = <usize>i << 2;
      const d0 = adam4(w, g, m, v, off, a1v, a2v, lrv, epsv, tinyv, sqrtTinyv, absv);
      const d1 = adam4(w, g, m, v, off + 16, a1v, a2v, lrv, epsv, tinyv, sqrtTinyv, absv);
      const d2 = adam4(w, g, m, v, off + 32, a1v, a2v, lrv, epsv, tinyv, sqrtTinyv, absv);
      const d3 = adam4(w, g, m, v, off + 48, a1v, a2v, lrv, epsv, tinyv, sqrtTinyv, absv);
      if (mode != UNMEASURED) {
        const s0 = squarable(d0, mode, sv, absv, sqrtTinyv), s1 = squarable(d1, mode, sv, absv, sqrtTinyv);
        const s2 = squarable(d2, mode, sv, absv, sqrtTinyv), s3 = squarable(d3, mode, sv, absv, sqrtTinyv);
        sq0 = f32x4.add(sq0, f32x4.mul(s0, s0));
        sq1 = f32x4.add(sq1, f32x4.mul(s1, s1));
        sq2 = f32x4.add(sq2, f32x4.mul(s2, s2));
        sq3 = f32x4.add(sq3, f32x4.mul(s3, s3));
      }
      if (weights) {
        const w0 = v128.load(w + off), w1 = v128.load(w + off + 16);
        const w2 = v128.load(w + off + 32), w3 = v128.load(w + off + 48);
        wq0 = f32x4.add(wq0, f32x4.mul(w0, w0));
        wq1 = f32x4.add(wq1, f32x4.mul(w1, w1));
        wq2 = f32x4.add(wq2, f32x4.mul(w2, w2));
        wq3 = f32x4.add(wq3, f32x4.mul(w3, w3));
      }
    }
    if (weights) {
      ws0 = addHalf(ws0, wq0, false);
      ws1 = addHalf(ws1, wq0, true);
      ws2 = addHalf(ws2, wq1, false);
      ws3 = addHalf(ws3, wq1, true);
      ws4 = addHalf(ws4, wq2, false);
      ws5 = addHalf(ws5, wq2, true);
      ws6 = addHalf(ws6, wq3, false);
      ws7 = addHalf(ws7, wq3, true);
    }
  }
  for (; i < n4; i += 4) {
    const d = adam4(w, g, m, v, <usize>i << 2, a1v, a2v, lrv, epsv, tinyv, sqrtTinyv, absv);
    if (mode != UNMEASURED) {
      const ds = squarable(d, mode, sv, absv, sqrtTinyv);
      sq0 = f32x4.add(sq0, f32x4.mul(ds, ds));
    }
    if (weights) {
      const wi = v128.load(w + (<usize>i << 2));
      ws0 = addSquares64(ws0, wi, false);
      ws1 = addSquares64(ws1, wi, true);
    }
  }
  // native/adam.c sums in this order too: its 16 lanes are these four sums' lanes.
  const sq = f32x4.add(f32x4.add(sq0, sq1), f32x4.add(sq2, sq3));
  let total: f64 = <f64>f32x4.extract_lane(sq, 0) + <f64>f32x4.extract_lane(sq, 1) + <f64>f32x4.extract_lane(sq, 2) + <f64>f32x4.extract_lane(sq, 3);
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const gi = load<f32>(g + off);
    const gs = keepAboveScalar(gi, SQRT_TINY);
    const mi = keepAboveScalar(load<f32>(m + off) + (gi - load<f32>(m + off)) * a1, TINY);
    const vi = keepAboveScalar(load<f32>(v + off) + (gs * gs - load<f32>(v + off)) * a2, TINY);
    const delta = (lrT * mi) / (Mathf.sqrt(vi) + eps);
    store<f32>(m + off, mi);
    store<f32>(v + off, vi);
    store<f32>(w + off, load<f32>(w + off) - delta);
    const ds = mode == SCALED ? delta * scale : keepAboveScalar(delta, SQRT_TINY);
    total += <f64>(ds * ds);
  }
  if (weights) {
    // The sixteen sums one after another, as native/adam.c adds its lanes.
    let squares = f64x2.extract_lane(ws0, 0);
    squares += f64x2.extract_lane(ws0, 1);
    squares = addLanes(addLanes(addLanes(squares, ws1), ws2), ws3);
    squares = addLanes(addLanes(addLanes(addLanes(squares, ws4), ws5), ws6), ws7);
    for (let k = n4; k < n; k++) {
      const wk = <f64>load<f32>(w + (<usize>k << 2));
      squares += wk * wk;
    }
    store<f64>(squaresAt, squares);
  }
  if (mode == UNMEASURED) return 0;
  return mode == SCALED ? total / (<f64>scale * <f64>scale) : total;
}

// Δ as it is squared for Σ Δ² in `mode` (GUARDED or SCALED).
@inline function squarable(d: v128, mode: i32, sv: v128, absv: v128, sqrtTinyv: v128): v128 {
  return mode == SCALED ? f32x4.mul(d, sv) : keepAbove(d, absv, sqrtTinyv);
}

// Adam's update of n weights. `measure` 0: returns 0; 1: returns Σ Δ², the squared norm of the
// applied update, guarding each Δ; 2: returns Σ Δ² from the squares of `scale`·Δ (see SCALED).
// A `squaresAt` other than 0 is where Σ w² of the new weights goes, as a float64.
export function adamUpdate(w: usize, g: usize, m: usize, v: usize, n: i32, lrT: f32, a1: f32, a2: f32, eps: f32, measure: i32, scale: f32, squaresAt: usize): f64 {
  if (squaresAt != 0) {
    if (measure == SCALED) return adamLoop(w, g, m, v, n, lrT, a1, a2, eps, SCALED, scale, true, squaresAt);
    if (measure == GUARDED) return adamLoop(w, g, m, v, n, lrT, a1, a2, eps, GUARDED, 1, true, squaresAt);
    return adamLoop(w, g, m, v, n, lrT, a1, a2, eps, UNMEASURED, 1, true, squaresAt);
  }
  if (measure == SCALED) return adamLoop(w, g, m, v, n, lrT, a1, a2, eps, SCALED, scale, false, 0);
  if (measure == GUARDED) return adamLoop(w, g, m, v, n, lrT, a1, a2, eps, GUARDED, 1, false, 0);
  return adamLoop(w, g, m, v, n, lrT, a1, a2, eps, UNMEASURED, 1, false, 0);
}
