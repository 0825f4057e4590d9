// e^x for four float32 lanes, Cephes' expf: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6
// polynomial (about 1 ulp), times 2^n built in the exponent bits.
//
// 2^n is applied as two factors 2^h·2^(n−h), each a normal float for every n the clamped x
// gives, so results that overflow become Infinity and those below the subnormals become 0 with
// no special cases. The clamp keeps NaN: pmax(x, c) is x < c ? c : x and pmin(x, c) is
// c < x ? c : x, so NaN, which compares false, passes through (as do ±0 and every x within
// range). Each is one x86 instruction, where f32x4.min and max take about eight for their NaN
// and signed-zero rules: e^x on 64k floats took 4.3–4.4 ns a value with them, 3.3–3.5 with these, the
// same bits (NaN, ±Infinity, −0 and values beyond the clamp included).

import { loadLanes, storeLanes } from './lanes';

const LOG2E: f32 = 1.44269504088896341;
// ln 2 split so that n·LN2_HI is exact for |n| < 2^15.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
// e^−105 is below half the smallest subnormal (2^−150); e^89 is above the largest float.
const X_MIN: f32 = -105;
const X_MAX: f32 = 89;

@inline export function exp4(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(X_MIN)), f32x4.splat(X_MAX));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(LOG2E)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const h = i32x4.shr_s(ni, 1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(h, bias), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, h), bias), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

// e^x over n floats: for the tests, which compare it with Math.exp.
export function expArray(x: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    const lanes = min(n - i, 4);
    storeLanes(out + o, exp4(loadLanes(x + o, lanes)), lanes);
  }
}
