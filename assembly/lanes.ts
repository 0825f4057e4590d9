// Partial vectors for loop tails: 1–3 floats loaded or stored without touching the bytes past
// them, so no kernel reads or writes outside its tensors.

// Loads `lanes` floats (1–4) from p, zero in the remaining lanes.
@inline export function loadLanes(p: usize, lanes: i32): v128 {
  if (lanes >= 4) return v128.load(p);
  if (lanes == 2) return v128.load64_zero(p);
  if (lanes == 1) return v128.load32_zero(p);
  return v128.load32_lane(p, v128.load64_zero(p), 2, 8);
}

// Stores the first `lanes` floats (1–4) of v at p.
@inline export function storeLanes(p: usize, v: v128, lanes: i32): void {
  if (lanes >= 4) {
    v128.store(p, v);
    return;
  }
  if (lanes & 2) v128.store64_lane(p, v, 0);
  if (lanes == 1) v128.store32_lane(p, v, 0);
  if (lanes == 3) v128.store32_lane(p, v, 2, 8);
}

