// Adam's update over whole tensors, 4 lanes at a time; returns Σ Δw², the squared norm of the
// applied update. Pointers are byte addresses into the imported memory (the heap).
//
// Moment estimates of weights that rarely get a gradient (border pixels) decay geometrically
// towards float32 subnormals, and tiny gradients square into them. x86 computes any result
// that is subnormal ~100× slower, and WebAssembly has no flush-to-zero mode, so values that
// cannot matter are zeroed before they get there: a moment below TINY changes w by less than
// lr·TINY/ε ≈ 1e-26, and a squared gradient below TINY is dwarfed by ε² in √v + ε.

const TINY: f32 = 1e-30;
const SQRT_TINY: f32 = 1e-15;

// 0 where |x| < limit, else x: NaN compares false, so it passes through (a diverging run must
// show NaN, not a silently skipped update).
@inline function keepAbove(x: v128, limit: f32): v128 {
  return v128.andnot(x, f32x4.lt(f32x4.abs(x), f32x4.splat(limit)));
}

@inline function keepAboveScalar(x: f32, limit: f32): f32 {
  return Mathf.abs(x) < limit ? 0 : x;
}

// Adam: m += (g − m)·a1;  v += (g² − v)·a2;  Δ = lrT·m/(√v + ε);  w −= Δ
export function adamUpdate(w: usize, g: usize, m: usize, v: usize, n: i32, lrT: f32, a1: f32, a2: f32, eps: f32): f64 {
  const a1v = f32x4.splat(a1), a2v = f32x4.splat(a2), lrv = f32x4.splat(lrT), epsv = f32x4.splat(eps);
  let sq = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const off = <usize>i << 2;
    const gi = v128.load(g + off);
    const gs = keepAbove(gi, SQRT_TINY);
    const mi = keepAbove(f32x4.add(v128.load(m + off), f32x4.mul(f32x4.sub(gi, v128.load(m + off)), a1v)), TINY);
    const vi = keepAbove(f32x4.add(v128.load(v + off), f32x4.mul(f32x4.sub(f32x4.mul(gs, gs), v128.load(v + off)), a2v)), TINY);
    const delta = f32x4.div(f32x4.mul(lrv, mi), f32x4.add(f32x4.sqrt(vi), epsv));
    const ds = keepAbove(delta, SQRT_TINY);
    v128.store(m + off, mi);
    v128.store(v + off, vi);
    v128.store(w + off, f32x4.sub(v128.load(w + off), delta));
    sq = f32x4.add(sq, f32x4.mul(ds, ds));
  }
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
    const ds = keepAboveScalar(delta, SQRT_TINY);
    total += <f64>(ds * ds);
  }
  return total;
}

