/*
 * ReLU's backward with 512-bit registers: ∂L/∂z = ∂L/∂a · f′(z), f′(z) = 1 where z > 0, else 0,
 * sixteen floats an instruction where the wasm kernel (assembly/activations.ts activationGrad)
 * takes four. The same operations, so the same bits: the derivative is multiplied, not used as a
 * mask, so that 0·Inf is NaN and a negative gradient times 0 is −0, as there.
 */
#include "kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

__attribute__((target("avx512f"))) static void relu_grad_avx512(const float *z, const float *g,
                                                                float *out, long n) {
  const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
  long i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 der = _mm512_maskz_mov_ps(
        _mm512_cmp_ps_mask(_mm512_loadu_ps(z + i), zero, _CMP_GT_OQ), one);
    _mm512_storeu_ps(out + i, _mm512_mul_ps(_mm512_loadu_ps(g + i), der));
  }
  if (i < n) {
    const __mmask16 lanes = (__mmask16)((1u << (n - i)) - 1);
    const __m512 der = _mm512_maskz_mov_ps(
        _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(lanes, z + i), zero, _CMP_GT_OQ), one);
    _mm512_mask_storeu_ps(out + i, lanes, _mm512_mul_ps(_mm512_maskz_loadu_ps(lanes, g + i), der));
  }
}

int gs_relu_grad(const float *z, const float *g, float *out, long n) {
  if (!gs_avx512f()) return 0;
  relu_grad_avx512(z, g, out, n);
  return 1;
}
#else
int gs_relu_grad(const float *z, const float *g, float *out, long n) {
  (void)z, (void)g, (void)out, (void)n;
  return 0;
}
#endif
