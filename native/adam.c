/*
 * Adam's update (assembly/adam.ts) with 512-bit registers: 16 weights an instruction where
 * WebAssembly has 4. Every operation is the wasm one, lane by lane (IEEE add, multiply,
 * divide and square root round alike everywhere; binding.gyp keeps the compiler from fusing a
 * multiply and an add), and Σ Δ² is summed in the wasm loop's order: in four sums of four
 * lanes, the k-th vector of four of each group of sixteen weights into the k-th sum, which are
 * the sixteen lanes of one register here. So the result has the same bits as the
 * wasm update, and the tests compare the two bit for bit.
 *
 * The guards, as in adam.ts: values that cannot matter are zeroed before they turn into
 * subnormals, which x86 computes ~100× slower; NaN passes every guard.
 */
#include "kernels.h"

#include <math.h>

#define TINY 1e-30f
#define SQRT_TINY 1e-15f
#define GUARDED 1
#define SCALED 2

static float keep_above(float x, float limit) { return fabsf(x) < limit ? 0 : x; }

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/* 0 where |x| < limit, else x (NaN compares false, so it stays). */
__attribute__((target("avx512f"))) static __m512 keep_above16(__m512 x, __m512 limit) {
  return _mm512_mask_mov_ps(x, _mm512_cmp_ps_mask(_mm512_abs_ps(x), limit, _CMP_LT_OQ),
                            _mm512_setzero_ps());
}

static __m128 keep_above4(__m128 x, __m128 limit) {
  const __m128 magnitude = _mm_andnot_ps(_mm_set1_ps(-0.0f), x);
  return _mm_andnot_ps(_mm_cmplt_ps(magnitude, limit), x);
}

/* Sixteens of weights whose squares a float32 group sums (adam.ts WEIGHT_GROUP). */
#define WEIGHT_GROUP 8

/* Lanes 0–7 of `group` into `lo`, 8–15 into `hi`, in float64. */
__attribute__((target("avx512f"))) static void add_group(__m512d *lo, __m512d *hi, __m512 group) {
  *lo = _mm512_add_pd(*lo, _mm512_cvtps_pd(_mm512_castps512_ps256(group)));
  *hi = _mm512_add_pd(
      *hi, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(group), 1))));
}

__attribute__((target("avx512f"))) double gs_adam(float *w, const float *g, float *m, float *v,
                                                   long n, float lrT, float a1, float a2,
                                                   float eps, int mode, float scale,
                                                   double *squares_at) {
  const __m512 a1v = _mm512_set1_ps(a1), a2v = _mm512_set1_ps(a2), lrv = _mm512_set1_ps(lrT);
  const __m512 epsv = _mm512_set1_ps(eps), sv = _mm512_set1_ps(scale);
  const __m512 tinyv = _mm512_set1_ps(TINY), sqrt_tinyv = _mm512_set1_ps(SQRT_TINY);
  __m512 sq16 = _mm512_setzero_ps();
  /*
   * Σ w² of the new weights, as in wasm: the k-th of each sixteen squared and summed into lane k
   * of `group` in float32, eight sixteens a group, each group then into lane k of (lo, hi) in
   * float64.
   */
  __m512 group = _mm512_setzero_ps();
  int grouped = 0;
  __m512d ws_lo = _mm512_setzero_pd(), ws_hi = _mm512_setzero_pd();
  long i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 gi = _mm512_loadu_ps(g + i), m0 = _mm512_loadu_ps(m + i);
    const __m512 v0 = _mm512_loadu_ps(v + i);
    const __m512 gs = keep_above16(gi, sqrt_tinyv);
    const __m512 mi =
        keep_above16(_mm512_add_ps(m0, _mm512_mul_ps(_mm512_sub_ps(gi, m0), a1v)), tinyv);
    const __m512 vr =
        _mm512_add_ps(v0, _mm512_mul_ps(_mm512_sub_ps(_mm512_mul_ps(gs, gs), v0), a2v));
    // v ≥ 0 rounds to ≥ 0 (adam.ts), so comparing v itself with TINY is keep_above.
    const __m512 vi = _mm512_mask_mov_ps(vr, _mm512_cmp_ps_mask(vr, tinyv, _CMP_LT_OQ),
                                         _mm512_setzero_ps());
    const __m512 delta =
        _mm512_div_ps(_mm512_mul_ps(lrv, mi), _mm512_add_ps(_mm512_sqrt_ps(vi), epsv));
    _mm512_storeu_ps(m + i, mi);
    _mm512_storeu_ps(v + i, vi);
    const __m512 wi = _mm512_sub_ps(_mm512_loadu_ps(w + i), delta);
    _mm512_storeu_ps(w + i, wi);
    if (squares_at != NULL) {
      group = _mm512_add_ps(group, _mm512_mul_ps(wi, wi));
      if (++grouped == WEIGHT_GROUP) {
        add_group(&ws_lo, &ws_hi, group);
        group = _mm512_setzero_ps();
        grouped = 0;
      }
    }
    if (mode != 0) {
      const __m512 ds = mode == SCALED ? _mm512_mul_ps(delta, sv) : keep_above16(delta, sqrt_tinyv);
      sq16 = _mm512_add_ps(sq16, _mm512_mul_ps(ds, ds));
    }
  }
  if (squares_at != NULL) add_group(&ws_lo, &ws_hi, group);
  __m128 sq0 = _mm512_castps512_ps128(sq16);
  const __m128 tiny4 = _mm_set1_ps(TINY), sqrt_tiny4 = _mm_set1_ps(SQRT_TINY);
  for (; i + 4 <= n; i += 4) {
    const __m128 gi = _mm_loadu_ps(g + i), m0 = _mm_loadu_ps(m + i), v0 = _mm_loadu_ps(v + i);
    const __m128 gs = keep_above4(gi, sqrt_tiny4);
    const __m128 mi =
        keep_above4(_mm_add_ps(m0, _mm_mul_ps(_mm_sub_ps(gi, m0), _mm_set1_ps(a1))), tiny4);
    const __m128 vr =
        _mm_add_ps(v0, _mm_mul_ps(_mm_sub_ps(_mm_mul_ps(gs, gs), v0), _mm_set1_ps(a2)));
    const __m128 vi = _mm_andnot_ps(_mm_cmplt_ps(vr, tiny4), vr);
    const __m128 delta = _mm_div_ps(_mm_mul_ps(_mm_set1_ps(lrT), mi),
                                    _mm_add_ps(_mm_sqrt_ps(vi), _mm_set1_ps(eps)));
    _mm_storeu_ps(m + i, mi);
    _mm_storeu_ps(v + i, vi);
    const __m128 wi = _mm_sub_ps(_mm_loadu_ps(w + i), delta);
    _mm_storeu_ps(w + i, wi);
    if (squares_at != NULL) {
      const __m256d wd = _mm256_cvtps_pd(wi);
      ws_lo = _mm512_add_pd(ws_lo, _mm512_zextpd256_pd512(_mm256_mul_pd(wd, wd)));
    }
    if (mode != 0) {
      const __m128 ds =
          mode == SCALED ? _mm_mul_ps(delta, _mm_set1_ps(scale)) : keep_above4(delta, sqrt_tiny4);
      sq0 = _mm_add_ps(sq0, _mm_mul_ps(ds, ds));
    }
  }
  const __m128 sq = _mm_add_ps(_mm_add_ps(sq0, _mm512_extractf32x4_ps(sq16, 1)),
                               _mm_add_ps(_mm512_extractf32x4_ps(sq16, 2),
                                          _mm512_extractf32x4_ps(sq16, 3)));
  float lanes[4];
  _mm_storeu_ps(lanes, sq);
  double total = (double)lanes[0] + (double)lanes[1] + (double)lanes[2] + (double)lanes[3];
  for (; i < n; i++) {
    const float gi = g[i], gs = keep_above(gi, SQRT_TINY);
    const float mi = keep_above(m[i] + (gi - m[i]) * a1, TINY);
    const float vi = keep_above(v[i] + (gs * gs - v[i]) * a2, TINY);
    const float delta = (lrT * mi) / (sqrtf(vi) + eps);
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i] - delta;
    const float ds = mode == SCALED ? delta * scale : keep_above(delta, SQRT_TINY);
    total += (double)(ds * ds);
  }
  if (squares_at != NULL) {
    double sums[16];
    _mm512_storeu_pd(sums, ws_lo);
    _mm512_storeu_pd(sums + 8, ws_hi);
    double squares = sums[0];
    for (int k = 1; k < 16; k++) squares += sums[k];
    for (long k = n & ~3L; k < n; k++) squares += (double)w[k] * (double)w[k];
    *squares_at = squares;
  }
  if (mode == 0) return 0;
  return mode == SCALED ? total / ((double)scale * (double)scale) : total;
}
#else
double gs_adam(float *w, const float *g, float *m, float *v, long n, float lrT, float a1,
               float a2, float eps, int mode, float scale, double *squares_at) {
  (void)w, (void)g, (void)m, (void)v, (void)n, (void)lrT, (void)a1, (void)a2, (void)eps;
  (void)mode, (void)scale, (void)squares_at, (void)keep_above;
  return 0;
}
#endif
