// a·b + c. In a build with relaxed SIMD enabled (build/kernels-relaxed.wasm) it is
// f32x4.relaxed_madd, one fused multiply-add where the CPU has one (rounded once, so results
// differ from the 128-bit build in the last bits); otherwise a multiply and an add.
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
