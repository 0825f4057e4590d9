/*
 * Sixteen floats a 512-bit register, for the AVX-512 passes (activations.c, columns.c): the
 * lanes of a row that lie before its end, and loads and stores of them. x86 only.
 */
#ifndef GRADSCOPE_LANES16_H
#define GRADSCOPE_LANES16_H

#include <immintrin.h>

#define TARGET __attribute__((target("avx512f")))

/* The lanes of elements j..j+15 that lie before n. */
TARGET static inline __mmask16 lanes(long j, long n) {
  return n - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - j)) - 1);
}

/* A full register loads plainly: masked loads of whole vectors ran slower in place. */
TARGET static inline __m512 load(const float *p, __mmask16 k) {
  return k == 0xFFFF ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(k, p);
}

TARGET static inline void store(float *p, __mmask16 k, __m512 v) {
  if (k == 0xFFFF) _mm512_storeu_ps(p, v);
  else _mm512_mask_storeu_ps(p, k, v);
}

#endif
