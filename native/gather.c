/*
 * A batch of byte images gathered from where the image set lies and scaled to float32 in the
 * heap: out[b·size + p] = images[indices[b]·size + p] / 255, with the bits of IEEE division (the
 * WebAssembly kernel's, assembly/gather.ts, and numpy's x / 255.0).
 *
 * Why native: in place on the reference model the wasm path took 50 ms of a 300 ms epoch
 * (2026-12-03): each image copied into a staging block by a TypedArray `set` (about 0.4 µs an
 * image from a shuffled order, each a miss in memory), then scaled with a division per pixel.
 * Here the images are read where they are, every line of the batch's images is loaded before any
 * is converted (`touch_lines`), and the division is replaced by multiplications that round to
 * the same float for each of the 256 byte values (`scaled`).
 */
#include "kernels.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/*
 * x / 255 for x an integer in [0, 255], as q = x·r rounded, then corrected by its residual:
 * q + (x − q·255)·r, every step a float32 operation (no fused multiply-add: -ffp-contract=off).
 * For each of the 256 values this equals the correctly rounded quotient, checked for all of them
 * by test/data/image-dataset.test.ts.
 */
#define SCALED(isa, V, mul, sub, add, set1)                                                   \
  __attribute__((target(isa))) static inline V scaled_##V(V x) {                             \
    const V r = set1(1.0f / 255.0f), d = set1(255.0f);                                       \
    const V q = mul(x, r);                                                                   \
    return add(q, mul(sub(x, mul(q, d)), r));                                                \
  }
SCALED("avx512f", __m512, _mm512_mul_ps, _mm512_sub_ps, _mm512_add_ps, _mm512_set1_ps)
SCALED("avx2", __m256, _mm256_mul_ps, _mm256_sub_ps, _mm256_add_ps, _mm256_set1_ps)

/* Converts the leading whole registers of an image; returns how many bytes that was. */
#define CONVERT(name, isa, V, lanes, load, widen, to_float, store)                           \
  __attribute__((target(isa))) static long name(const uint8_t *src, float *dst, long size) { \
    long p = 0;                                                                              \
    for (; p + (lanes) <= size; p += (lanes)) {                                              \
      store(dst + p, scaled_##V(to_float(widen(load((const __m128i *)(src + p))))));         \
    }                                                                                        \
    return p;                                                                                \
  }
CONVERT(convert_avx512, "avx512f", __m512, 16, _mm_loadu_si128, _mm512_cvtepu8_epi32,
        _mm512_cvtepi32_ps, _mm512_storeu_ps)
CONVERT(convert_avx2, "avx2", __m256, 8, _mm_loadl_epi64, _mm256_cvtepu8_epi32,
        _mm256_cvtepi32_ps, _mm256_storeu_ps)
#endif

/*
 * Loads one byte of every cache line of the batch's images. The loads do not depend on one
 * another, so the core has many misses (and page walks) in flight at once, where the conversion
 * loop met each image's first miss alone. In place on the reference model (2026-12-03) the
 * gather took 29–32 ms an epoch with the first and last byte of each image loaded so, 19–23 ms
 * with every line, 41–47 ms with neither; software prefetches of the next images instead
 * (2 to 32 ahead) made no difference.
 */
static uint32_t touch_lines(const uint8_t *images, const int32_t *indices, long count, long size) {
  uint32_t touched = 0;
  for (long b = 0; b < count; b++) {
    const uint8_t *image = images + (long)indices[b] * size;
    for (long line = 0; line < size; line += 64) touched += image[line];
    touched += image[size - 1];
  }
  return touched;
}

const char *gs_gather_scaled(const uint8_t *images, long image_bytes, const int32_t *indices,
                             long count, long size, float *out) {
  for (long b = 0; b < count; b++) {
    if (indices[b] < 0 || ((long)indices[b] + 1) * size > image_bytes) {
      return "gatherScaled: an index points past the images";
    }
  }
  if (size == 0) return NULL;
  /* Volatile, so that the loads are not dropped as unused. */
  volatile uint32_t touched = touch_lines(images, indices, count, size);
  (void)touched;
  /* The products' register width: GRADSCOPE_NATIVE_WIDTH=256 keeps this on AVX2 too. */
  const int wide = strcmp(gs_product_width(), "avx512") == 0;
  const int avx2 = strcmp(gs_product_width(), "avx2") == 0;
  for (long b = 0; b < count; b++) {
    const uint8_t *src = images + (long)indices[b] * size;
    float *dst = out + b * size;
    long p = 0;
#if defined(__x86_64__) || defined(__i386__)
    if (wide) p = convert_avx512(src, dst, size);
    else if (avx2) p = convert_avx2(src, dst, size);
#endif
    for (; p < size; p++) dst[p] = (float)src[p] / 255.0f;
  }
  return NULL;
}
