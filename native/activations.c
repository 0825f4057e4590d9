/*
 * ReLU's backward with 512-bit registers: ∂L/∂z = ∂L/∂a · f′(z), f′(z) = 1 where z > 0, else 0,
 * sixteen floats an instruction where the wasm kernel (assembly/activations.ts activationGrad)
 * takes four. The same operations, so the same bits: the derivative is multiplied, not used as a
 * mask, so that 0·Inf is NaN and a negative gradient times 0 is −0, as there.
 */
#include "kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include "lanes16.h"

TARGET void gs_relu_grad(const float *z, const float *g, float *out, long n) {
  const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
  for (long i = 0; i < n; i += 16) {
    const __mmask16 k = lanes(i, n);
    const __mmask16 positive = _mm512_cmp_ps_mask(load(z + i, k), zero, _CMP_GT_OQ);
    const __m512 der = _mm512_maskz_mov_ps(positive, one);
    store(out + i, k, _mm512_mul_ps(load(g + i, k), der));
  }
}
#else
void gs_relu_grad(const float *z, const float *g, float *out, long n) {
  (void)z, (void)g, (void)out, (void)n;
}
#endif
