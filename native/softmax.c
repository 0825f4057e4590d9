/*
 * Row-wise softmax with the bits of the TypeScript one (src/engine/kernels/elementwise.ts
 * referenceElementwise.softmaxRows), which calls Math.exp. V8's Math.exp is fdlibm's
 * __ieee754_exp (v8/src/base/ieee754.cc): plain IEEE double operations, so the same operations
 * here give the same bits (compiled with -ffp-contract=off: no fused multiply-add). `exp1` is
 * fdlibm's, branch for branch; `exp8` takes every branch for eight lanes and selects per lane.
 * A scalar port matched Math.exp on 5,000,000 values of both signs and the special ones (a
 * scratch script, 2026-12-03); the kernel tests compare whole softmaxes bit for bit.
 *
 * Why native: the reference's 320 Math.exp a step took 8% of a reference epoch in place, and a
 * wasm port on two f64x2 lanes was barely faster than V8's own (2.7–2.9 against 3.1–3.4 µs on
 * 32×10 logits). Here: 1.7 µs with AVX-512, 2.5 µs one value at a time (the baseline loop, for
 * other CPUs).
 */
#include "kernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define INV_LN2 1.44269504088896338700e+00
#define P1 1.66666666666666019037e-01
#define P2 -2.77777777770155933842e-03
#define P3 6.61375632143793436117e-05
#define P4 -1.65339022054652515390e-06
#define P5 4.13813679705723846039e-08
#define O_THRESHOLD 7.09782712893383973096e+02
#define U_THRESHOLD -7.45133219101941108420e+02

static double from_bits(uint64_t bits) {
  double x;
  memcpy(&x, &bits, sizeof x);
  return x;
}

static uint64_t bits_of(double x) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  return bits;
}

/* fdlibm's exp (inline: the AVX-512 loop takes its own copy, see `softmax_rows`). */
static inline double exp1(double x) {
  const uint64_t bits = bits_of(x);
  const int negative = (int)(bits >> 63);
  const uint32_t hx = (uint32_t)(bits >> 32) & 0x7fffffff;
  if (hx >= 0x40862e42) {
    if (hx >= 0x7ff00000) return x != x ? x + x : negative == 0 ? x : 0.0;
    if (x > O_THRESHOLD) return INFINITY;
    if (x < U_THRESHOLD) return 0.0;
  }
  double hi = 0, lo = 0;
  int k = 0;
  if (hx > 0x3fd62e42) {
    if (hx < 0x3ff0a2b2) {
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
      k = 1 - negative - negative;
    } else {
      k = (int)(INV_LN2 * x + (negative ? -0.5 : 0.5));
      const double t = k;
      hi = x - t * LN2_HI;
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    return 1.0 + x;
  }
  const double t = x * x;
  const double c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * from_bits(0x7fe0000000000000ULL);
    return y * from_bits((uint64_t)(0x3ff + k) << 52);
  }
  return y * from_bits((uint64_t)(0x3ff + k + 1000) << 52) * from_bits(0x0170000000000000ULL);
}

/* `sum` plus e_j = exp(z_j − max) for j in [from, cols), added in order; a_j = f32(e_j). */
static inline double add_exps(const float *z, float *a, long from, long cols, double max,
                               double sum) {
  for (long j = from; j < cols; j++) {
    const double e = exp1((double)z[j] - max);
    sum += e;
    a[j] = (float)e;
  }
  return sum;
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/* Lanes below this |x| take exp8's path (then |k| ≤ 1016, 2^k a normal double). */
#define LANES_MAX 704.0

/*
 * exp1 of eight lanes whose |x| < LANES_MAX. fdlibm's tests on the high word of |x| become
 * comparisons of |x| with the doubles whose high word is the bound (low word 0).
 */
__attribute__((target("avx512f"))) static __m512d exp8(__m512d x) {
  const __m512d ax = _mm512_abs_pd(x);
  const __m512i sign = _mm512_and_si512(_mm512_castpd_si512(x),
                                        _mm512_set1_epi64((long long)0x8000000000000000ULL));
#define SIGNED(value) _mm512_castsi512_pd(_mm512_or_si512(_mm512_castpd_si512(_mm512_set1_pd(value)), sign))
  const __mmask8 reduced = _mm512_cmp_pd_mask(ax, _mm512_set1_pd(from_bits(0x3fd62e4300000000ULL)), _CMP_GE_OQ);
  const __mmask8 near = _mm512_cmp_pd_mask(ax, _mm512_set1_pd(from_bits(0x3ff0a2b200000000ULL)), _CMP_LT_OQ);
  const __mmask8 tiny = _mm512_cmp_pd_mask(ax, _mm512_set1_pd(from_bits(0x3e30000000000000ULL)), _CMP_LT_OQ);
  const __m512d k_far = _mm512_roundscale_pd(
      _mm512_add_pd(_mm512_mul_pd(_mm512_set1_pd(INV_LN2), x), SIGNED(0.5)), _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m512d hi_far = _mm512_sub_pd(x, _mm512_mul_pd(k_far, _mm512_set1_pd(LN2_HI)));
  const __m512d lo_far = _mm512_mul_pd(k_far, _mm512_set1_pd(LN2_LO));
  const __m512d k = _mm512_maskz_mov_pd(reduced, _mm512_mask_blend_pd(near, k_far, SIGNED(1.0)));
  const __m512d hi = _mm512_mask_blend_pd(near, hi_far, _mm512_sub_pd(x, SIGNED(LN2_HI)));
  const __m512d lo = _mm512_mask_blend_pd(near, lo_far, SIGNED(LN2_LO));
#undef SIGNED
  const __m512d r = _mm512_mask_blend_pd(reduced, x, _mm512_sub_pd(hi, lo));
  const __m512d t = _mm512_mul_pd(r, r);
  __m512d p = _mm512_add_pd(_mm512_set1_pd(P4), _mm512_mul_pd(t, _mm512_set1_pd(P5)));
  p = _mm512_add_pd(_mm512_set1_pd(P3), _mm512_mul_pd(t, p));
  p = _mm512_add_pd(_mm512_set1_pd(P2), _mm512_mul_pd(t, p));
  p = _mm512_add_pd(_mm512_set1_pd(P1), _mm512_mul_pd(t, p));
  const __m512d c = _mm512_sub_pd(r, _mm512_mul_pd(t, p));
  const __m512d one = _mm512_set1_pd(1.0);
  /* fdlibm divides by c − 2 where k = 0 and by 2 − c elsewhere: one quotient serves both,
   * exactly, as lo − (−q) is lo + q. */
  const __m512d q = _mm512_div_pd(_mm512_mul_pd(r, c), _mm512_sub_pd(c, _mm512_set1_pd(2.0)));
  const __m512d plain = _mm512_sub_pd(one, _mm512_sub_pd(q, r));
  const __m512d y = _mm512_sub_pd(one, _mm512_sub_pd(_mm512_add_pd(lo, q), hi));
  /* 2^k from k + 2⁵² + 1023, whose low bits hold k + 1023 exactly. */
  const __m512i biased = _mm512_castpd_si512(_mm512_add_pd(k, _mm512_set1_pd(4503599627370496.0 + 1023.0)));
  const __m512d two_k = _mm512_castsi512_pd(_mm512_slli_epi64(biased, 52));
  const __m512d result = _mm512_mask_blend_pd(reduced, plain, _mm512_mul_pd(y, two_k));
  return _mm512_mask_blend_pd(tiny, result, _mm512_add_pd(one, x));
}

/* e_j = exp(z_j − max) and a_j = f32(e_j) for the row, eight lanes at a time; Σ e_j in order. */
__attribute__((target("avx512f"))) static inline double row_exps_avx512(const float *z, float *a,
                                                                         long cols, double max) {
  double sum = 0;
  long j = 0;
  for (; j + 8 <= cols; j += 8) {
    const __m512d x = _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(z + j)), _mm512_set1_pd(max));
    double e[8];
    const __mmask8 inside = _mm512_cmp_pd_mask(_mm512_abs_pd(x), _mm512_set1_pd(LANES_MAX), _CMP_LT_OQ);
    _mm512_storeu_pd(e, inside == 0xff ? exp8(x) : x);
    if (inside != 0xff) {
      for (int i = 0; i < 8; i++) e[i] = exp1(e[i]);
    }
    for (int i = 0; i < 8; i++) {
      sum += e[i];
      a[j + i] = (float)e[i];
    }
  }
  return add_exps(z, a, j, cols, max, sum);
}
#endif

/*
 * The rows, `row_exps` giving each row's exps and sum. Defined twice, baseline and AVX-512, each
 * with its own inline exp1: a first version whose AVX-512 loop called the baseline exp1 and
 * divided in baseline code took 17.5 µs on 32×10 logits, against 2.5 µs one value at a time and
 * 1.7 µs so (2026-12-03; mixing the two encodings is the likely cost, not measured apart).
 */
#define SOFTMAX_ROWS(name, attributes, row_exps)                                              \
  attributes static void name(const float *z, float *a, long rows, long cols, double *stats) { \
    for (long r = 0; r < rows; r++) {                                                         \
      const float *zr = z + r * cols;                                                         \
      float *ar = a + r * cols;                                                               \
      /* Math.max's rule: NaN wins, +0 over −0 (fmax does neither). */                        \
      double max = -INFINITY;                                                                 \
      for (long j = 0; j < cols; j++) {                                                       \
        const double v = zr[j];                                                               \
        if (v != v || max != max) max = NAN;                                                  \
        else if (v > max || (v == 0 && max == 0 && !signbit(v))) max = v;                     \
      }                                                                                       \
      const double sum = row_exps;                                                            \
      for (long j = 0; j < cols; j++) ar[j] = (float)((double)ar[j] / sum);                   \
      if (stats != NULL) {                                                                    \
        stats[2 * r] = max;                                                                   \
        stats[2 * r + 1] = sum;                                                               \
      }                                                                                       \
    }                                                                                         \
  }

SOFTMAX_ROWS(softmax_scalar, , add_exps(zr, ar, 0, cols, max, 0))
#if defined(__x86_64__) || defined(__i386__)
SOFTMAX_ROWS(softmax_avx512, __attribute__((target("avx512f"))),
             row_exps_avx512(zr, ar, cols, max))
#endif

void gs_softmax(const float *z, float *a, long rows, long cols, double *stats) {
#if defined(__x86_64__) || defined(__i386__)
  /* The products' width: GRADSCOPE_NATIVE_WIDTH=256 keeps this on the baseline loop too. */
  if (strcmp(gs_product_width(), "avx512") == 0) {
    softmax_avx512(z, a, rows, cols, stats);
    return;
  }
#endif
  softmax_scalar(z, a, rows, cols, stats);
}
