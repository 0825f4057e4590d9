// Activations and their derivatives, four lanes at a time, with no data-dependent branches:
// a mispredicted branch per element cost ReLU three times its arithmetic. The activation codes
// match ACTIVATION_CODES in src/engine/kernels/elementwise.ts; others stay in TypeScript.
//
// NaN is never hidden: relu keeps a NaN input (compares are false for NaN, and the mask keeps
// what is not ≤ 0), and the gradient is outputGrad·f′ by multiplication, so 0·Inf is NaN.

import { exp4 } from './exp';
import { loadLanes, storeLanes } from './lanes';
import { checkedSquares, squares32 } from './sum-of-squares';

export const LINEAR = 0;
export const RELU = 1;
export const SIGMOID = 2;
export const TANH = 3;

// Cephes' tanhf polynomial for |x| < 0.625, where 1 − 2/(e^2x + 1) would cancel.
const TANH_SMALL: f32 = 0.625;

@inline function tanh4(x: v128): v128 {
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const ax = f32x4.abs(x);
  const e = exp4(f32x4.add(ax, ax));
  const large = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  const signed = v128.or(large, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(TANH_SMALL)));
}

@inline export function activate(kind: i32, z: v128): v128 {
  if (kind == RELU) return v128.andnot(z, f32x4.le(z, f32x4.splat(0)));
  if (kind == SIGMOID) {
    return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), exp4(f32x4.neg(z))));
  }
  if (kind == TANH) return tanh4(z);
  return z;
}

// f′(z) given a = f(z).
@inline export function derivative(kind: i32, z: v128, a: v128): v128 {
  const one = f32x4.splat(1);
  if (kind == RELU) return v128.and(one, f32x4.gt(z, f32x4.splat(0)));
  if (kind == SIGMOID) return f32x4.mul(a, f32x4.sub(one, a));
  if (kind == TANH) return f32x4.sub(one, f32x4.mul(a, a));
  return one;
}

// z += bias (when bias ≠ 0), then a = f(z), for the vector of `lanes` (1–4) at byte offset o.
@inline function biasActivation4(zr: usize, bias: usize, ar: usize, o: usize, lanes: i32, kind: i32): void {
  let v = loadLanes(zr + o, lanes);
  if (bias) {
    v = f32x4.add(v, loadLanes(bias + o, lanes));
    storeLanes(zr + o, v, lanes);
  }
  storeLanes(ar + o, activate(kind, v), lanes);
}

// z[r, :] += bias (when bias ≠ 0), then a = f(z), over rows × cols (a may be z itself). Whole
// vectors go through a loop of their own: the partial loads and stores cost 1.5× the work.
export function biasActivation(z: usize, bias: usize, a: usize, rows: i32, cols: i32, kind: i32): void {
  const rowBytes = (<usize>cols) << 2;
  const cols4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const zr = z + <usize>r * rowBytes;
    const ar = a + <usize>r * rowBytes;
    let j = 0;
    for (; j < cols4; j += 4) biasActivation4(zr, bias, ar, (<usize>j) << 2, 4, kind);
    if (j < cols) biasActivation4(zr, bias, ar, (<usize>j) << 2, cols - j, kind);
  }
}

// zGrad = outputGrad · f′(z), over elements i0 ≤ i < n, with a = f(z).
@inline function activationGradFrom(z: usize, a: usize, outputGrad: usize, zGrad: usize, i0: i32, n: i32, kind: i32): void {
  for (let i = i0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    const lanes = min(n - i, 4);
    const d = derivative(kind, loadLanes(z + o, lanes), loadLanes(a + o, lanes));
    storeLanes(zGrad + o, f32x4.mul(loadLanes(outputGrad + o, lanes), d), lanes);
  }
}

// zGrad = outputGrad · f′(z) over the 32 elements at byte offset o.
@inline function activationGrad32(z: usize, a: usize, outputGrad: usize, zGrad: usize, o: usize, kind: i32): void {
  for (let q: usize = 0; q < 128; q += 16) {
    const d = derivative(kind, v128.load(z + o + q), v128.load(a + o + q));
    v128.store(zGrad + o + q, f32x4.mul(v128.load(outputGrad + o + q), d));
  }
}

// zGrad = outputGrad · f′(z), over n elements, with a = f(z): 32 at a time with full vectors
// (the loop of partial loads and stores ran 1.6× slower), then the last 0–31.
export function activationGrad(z: usize, a: usize, outputGrad: usize, zGrad: usize, n: i32, kind: i32): void {
  const n32 = n & ~31;
  for (let i = 0; i < n32; i += 32) activationGrad32(z, a, outputGrad, zGrad, (<usize>i) << 2, kind);
  activationGradFrom(z, a, outputGrad, zGrad, n32, n, kind);
}

// activationGrad, returning Σ outputGrad² (the backprop signal's squared norm) with the bits of
// sumOfSquares(outputGrad, n): the same groups of 32, squared as the derivative reads them.
export function activationGradSquares(z: usize, a: usize, outputGrad: usize, zGrad: usize, n: i32, kind: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  const n32 = n & ~31;
  for (let i = 0; i < n32; i += 32) {
    const o = (<usize>i) << 2;
    // Before zGrad is stored, which may be outputGrad itself; the loop below reads them from L1.
    const t = squares32(outputGrad + o);
    activationGrad32(z, a, outputGrad, zGrad, o, kind);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(t));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(t, t, 2, 3, 0, 1)));
  }
  const s = f64x2.add(s0, s1);
  let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (let i = n32; i < n; i++) {
    const v = <f64>load<f32>(outputGrad + (<usize>i << 2));
    total += v * v;
  }
  // Exact sums read outputGrad whole: before the tail of zGrad is stored.
  total = checkedSquares(total, outputGrad, n);
  activationGradFrom(z, a, outputGrad, zGrad, n32, n, kind);
  return total;
}
