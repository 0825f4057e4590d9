// Column-wise reductions and elementwise products over row-major matrices.

import { loadLanes, storeLanes } from './lanes';
import { checkedSquares } from './sum-of-squares';

// out[j] += Σ_r m[r, j]: rows added in order, so the sums equal a scalar loop's bit for bit.
// Sixteen columns stay in registers down all the rows. With `measure`, returns Σ out[j]² as it
// leaves out (squared from the registers, 4 per lane in float32, then in float64), else 0.
export function sumRowsInto(m: usize, out: usize, rows: i32, cols: i32, measure: i32): f64 {
  let q0 = f64x2.splat(0), q1 = f64x2.splat(0);
  const rowBytes = (<usize>cols) << 2;
  let j = 0;
  for (; j + 16 <= cols; j += 16) {
    const o = (<usize>j) << 2;
    let s0 = v128.load(out + o), s1 = v128.load(out + o, 16);
    let s2 = v128.load(out + o, 32), s3 = v128.load(out + o, 48);
    let p = m + o;
    for (let r = 0; r < rows; r++) {
      s0 = f32x4.add(s0, v128.load(p));
      s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32));
      s3 = f32x4.add(s3, v128.load(p, 48));
      p += rowBytes;
    }
    v128.store(out + o, s0);
    v128.store(out + o, s1, 16);
    v128.store(out + o, s2, 32);
    v128.store(out + o, s3, 48);
    if (measure) {
      const t = f32x4.add(
        f32x4.add(f32x4.mul(s0, s0), f32x4.mul(s1, s1)),
        f32x4.add(f32x4.mul(s2, s2), f32x4.mul(s3, s3)),
      );
      q0 = f64x2.add(q0, f64x2.promote_low_f32x4(t));
      q1 = f64x2.add(q1, f64x2.promote_low_f32x4(v128.shuffle<f32>(t, t, 2, 3, 0, 1)));
    }
  }
  for (; j < cols; j += 4) {
    const o = (<usize>j) << 2;
    const lanes = min(cols - j, 4);
    let s = loadLanes(out + o, lanes);
    let p = m + o;
    for (let r = 0; r < rows; r++) {
      s = f32x4.add(s, loadLanes(p, lanes));
      p += rowBytes;
    }
    storeLanes(out + o, s, lanes);
    if (measure) {
      const t = f32x4.mul(s, s);
      q0 = f64x2.add(q0, f64x2.promote_low_f32x4(t));
      q1 = f64x2.add(q1, f64x2.promote_low_f32x4(v128.shuffle<f32>(t, t, 2, 3, 0, 1)));
    }
  }
  if (!measure) return 0;
  const q = f64x2.add(q0, q1);
  return checkedSquares(f64x2.extract_lane(q, 0) + f64x2.extract_lane(q, 1), out, cols);
}

// out = a ⊙ b over n elements.
export function multiply(a: usize, b: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const o = (<usize>i) << 2;
    const lanes = min(n - i, 4);
    storeLanes(out + o, f32x4.mul(loadLanes(a + o, lanes), loadLanes(b + o, lanes)), lanes);
  }
}
