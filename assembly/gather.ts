// out[b·size + p] = images[indices[b]·size + p] / 255 for b < count, p < size: a batch of
// byte images gathered and scaled to float32 (IEEE division, as numpy's x / 255.0 rounds).
export function gatherBytesScaled(images: usize, indices: usize, count: i32, size: i32, out: usize): void {
  const scale = f32x4.splat(255);
  const size16 = size & ~15;
  for (let b = 0; b < count; b++) {
    const src = images + <usize>load<i32>(indices + (<usize>b << 2)) * <usize>size;
    const dst = out + ((<usize>b * <usize>size) << 2);
    let p = 0;
    for (; p < size16; p += 16) {
      const bytes = v128.load(src + <usize>p);
      const lo = i16x8.extend_low_i8x16_u(bytes);
      const hi = i16x8.extend_high_i8x16_u(bytes);
      const d = dst + (<usize>p << 2);
      v128.store(d, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)), scale));
      v128.store(d, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)), scale), 16);
      v128.store(d, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)), scale), 32);
      v128.store(d, f32x4.div(f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)), scale), 48);
    }
    for (; p < size; p++) {
      store<f32>(dst + (<usize>p << 2), <f32>load<u8>(src + <usize>p) / 255);
    }
  }
}
