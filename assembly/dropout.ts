// Dropout masks from xoshiro128** (Blackman & Vigna), four independent streams, one per lane:
// lane i of state word k is word k of stream i, so element e of the mask is drawn by stream
// e mod 4. The state (16 words at `state`) is seeded by the caller and written back.
//
// mask[e] = draw ≥ threshold ? scale : 0 (a draw is below the threshold with probability
// threshold / 2^32), y = x ⊙ mask.

import { loadLanes, storeLanes } from './lanes';

@inline function rotl(x: v128, k: i32): v128 {
  return v128.or(i32x4.shl(x, k), i32x4.shr_u(x, 32 - k));
}

export function dropoutMask(x: usize, mask: usize, y: usize, n: i32, threshold: u32, scale: f32, state: usize): void {
  let s0 = v128.load(state), s1 = v128.load(state, 16), s2 = v128.load(state, 32), s3 = v128.load(state, 48);
  const limit = i32x4.splat(threshold);
  const keep = f32x4.splat(scale);
  for (let i = 0; i < n; i += 4) {
    const draw = i32x4.mul(rotl(i32x4.mul(s1, i32x4.splat(5)), 7), i32x4.splat(9));
    const t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t);
    s3 = rotl(s3, 11);
    const m = v128.and(keep, i32x4.ge_u(draw, limit));
    const o = (<usize>i) << 2;
    const lanes = min(n - i, 4);
    storeLanes(mask + o, m, lanes);
    storeLanes(y + o, f32x4.mul(loadLanes(x + o, lanes), m), lanes);
  }
  v128.store(state, s0);
  v128.store(state, s1, 16);
  v128.store(state, s2, 32);
  v128.store(state, s3, 48);
}
