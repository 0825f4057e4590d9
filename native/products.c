/*
 * The matrix products at native width: C (+)= op(A)·op(B) on the same shared heap memory the
 * WebAssembly kernels use, with 256-bit (AVX2 + FMA) or 512-bit (AVX-512F) registers where the
 * CPU has them. WebAssembly SIMD is 128 bits wide; on a core with 256-bit FMA units the native
 * loop does twice the work per instruction (README, "Benchmark").
 *
 * The loops are the textbook cache-blocked ones (Goto and van de Geijn, "Anatomy of
 * high-performance matrix multiplication", 2008): B is packed in panels of KC rows and A in
 * blocks of MC rows, so that the microkernel streams both from cache, and a microkernel keeps
 * an MR×NR block of C in registers.
 *
 * The bits: every element of C is Σ_p A(i,p)·B(p,j) taken by one lane of one register with a
 * fused multiply-add per p, in order, per panel of KC; each panel's sum is then added to C. So
 * the result does not depend on the register width, on the tile an element falls in, nor on how
 * the caller cuts C between threads. It may differ from the WebAssembly kernels in the last bits.
 */
#include "kernels.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KC 256
/* A multiple of every kernel's MR. */
#define MC 120
#define NC 2048
#define MR_MAX 8
/* A strip's span in its source (kc rows of ps floats), in bytes, above which `pack` reads rows. */
#define ROW_PACK_SPAN (256L * 1024)
#define NR_MAX 32

/* op(A)(i, p) = a[i*ars + p*acs]; op(B)(p, j) = b[p*brs + j*bcs]; C row-major with n columns. */
typedef struct {
  const float *a;
  const float *b;
  float *c;
  long ars, acs, brs, bcs, ldc;
} operands;

/*
 * ldb: floats from one row p of the B strip to the next (NR when packed). With `bias` (else
 * NULL) the block then becomes C + bias before it is stored, and with `out` (else NULL) relu of
 * that goes to out (ldc apart too): a Dense forward's last panel (`epilogue` below).
 */
typedef void microkernel(int kc, const float *ap, const float *bp, long ldb, float *c, long ldc,
                         int add, const float *bias, float *out);

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/* The rows of a microkernel's block: X(r, ...) for each of its rows r. */
#define ROWS6(X, ...) X(0, __VA_ARGS__) X(1, __VA_ARGS__) X(2, __VA_ARGS__) X(3, __VA_ARGS__) \
  X(4, __VA_ARGS__) X(5, __VA_ARGS__)
#define ROWS8(X, ...) ROWS6(X, __VA_ARGS__) X(6, __VA_ARGS__) X(7, __VA_ARGS__)
/* Row r of the block: its two registers, their multiply-adds at one p, their names. */
#define DECLARE_ROW(r, V, zero) V c##r##0 = zero(), c##r##1 = zero();
#define STEP_ROW(r, broadcast, fma)                                                           \
  a = broadcast(ap[r]);                                                                       \
  c##r##0 = fma(a, b0, c##r##0), c##r##1 = fma(a, b1, c##r##1);
#define ROW_NAMES(r, unused) c##r##0, c##r##1,

/*
 * One microkernel, two widths: an mr×(2·lanes) block of C in named registers (GCC spills an
 * array of vector registers to the stack on every step): six rows of two ymm (twelve of the
 * sixteen registers) with AVX2, eight rows of two zmm with AVX-512 (sixteen of thirty-two). On
 * an Intel Xeon of 2026-12-03 eight rows made a 512×1024×1024 product 5% faster in a C harness
 * (151–154 against 143–146 GFLOP/s) and the wide products of bench/kernels.js 1–5% faster
 * (three runs each way); and 32, 128 and 512 rows (the batch sizes) leave no edge tile.
 */
#define MICROKERNEL(name, isa, rows, mr, V, lanes, zero, load, loadu, storeu, broadcast, fma, add, \
                    relu)                                                                          \
  __attribute__((target(isa))) static void name(int kc, const float *ap, const float *bp,          \
                                                long ldb, float *c, long ldc, int plus,            \
                                                const float *bias, float *out) {                   \
    rows(DECLARE_ROW, V, zero);                                                                    \
    for (int p = 0; p < kc; p++, ap += (mr), bp += ldb) {                                          \
      const V b0 = load(bp), b1 = load(bp + (lanes));                                              \
      V a;                                                                                         \
      rows(STEP_ROW, broadcast, fma);                                                              \
    }                                                                                              \
    V block[2 * (mr)] = {rows(ROW_NAMES, 0)};                                                      \
    for (int r = 0; r < (mr); r++, c += ldc) {                                                     \
      V lo = block[2 * r], hi = block[2 * r + 1];                                                  \
      if (plus) lo = add(loadu(c), lo), hi = add(loadu(c + (lanes)), hi);                          \
      if (bias != NULL) lo = add(lo, loadu(bias)), hi = add(hi, loadu(bias + (lanes)));            \
      storeu(c, lo);                                                                               \
      storeu(c + (lanes), hi);                                                                     \
      if (out != NULL) storeu(out + r * ldc, relu(lo)), storeu(out + r * ldc + (lanes), relu(hi)); \
    }                                                                                              \
  }

/* relu with the wasm kernel's bits: z where not z ≤ 0 (NaN too), else +0. */
__attribute__((target("avx2"))) static inline __m256 relu_avx2(__m256 z) {
  return _mm256_andnot_ps(_mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_LE_OQ), z);
}
__attribute__((target("avx512f"))) static inline __m512 relu_avx512(__m512 z) {
  return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_NLE_UQ), z);
}

MICROKERNEL(kernel_avx2, "avx2,fma", ROWS6, 6, __m256, 8, _mm256_setzero_ps, _mm256_loadu_ps,
            _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps,
            relu_avx2)
MICROKERNEL(kernel_avx512, "avx512f", ROWS8, 8, __m512, 16, _mm512_setzero_ps, _mm512_loadu_ps,
            _mm512_loadu_ps, _mm512_storeu_ps, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps,
            relu_avx512)
#endif

/* The widest microkernel this CPU runs, its MR and NR; none (NR 0) off x86 or without AVX2. */
static microkernel *kernel = NULL;
static int MR = 0, NR = 0;
static const char *kernel_name = "none";

static void choose_kernel(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (getenv("GRADSCOPE_NATIVE_WIDTH") == NULL ||
      strcmp(getenv("GRADSCOPE_NATIVE_WIDTH"), "256") != 0) {
    if (__builtin_cpu_supports("avx512f")) {
      kernel = kernel_avx512, MR = 8, NR = 32, kernel_name = "avx512";
      return;
    }
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    kernel = kernel_avx2, MR = 6, NR = 16, kernel_name = "avx2";
  }
#endif
}

const char *gs_product_width(void) {
  if (kernel == NULL) choose_kernel();
  return kernel_name;
}

/* Per thread: each worker thread loads the addon in its own environment but shares the code. */
static _Thread_local float *a_pack = NULL, *b_pack = NULL;

static int packs_allocated(void) {
  if (a_pack == NULL) a_pack = aligned_alloc(64, sizeof(float) * MC * KC);
  if (b_pack == NULL) b_pack = aligned_alloc(64, sizeof(float) * KC * (NC + NR_MAX));
  return a_pack != NULL && b_pack != NULL;
}

void gs_release_packs(void) {
  free(a_pack);
  free(b_pack);
  a_pack = b_pack = NULL;
}

#if defined(__x86_64__) || defined(__i386__)
/*
 * An 8×8 block of `from` (rows `ds` floats apart) transposed: column c of it as the 8 floats at
 * to + c·stride. With AVX, which both microkernels' CPUs have.
 */
__attribute__((target("avx"))) static void transpose8(float *to, long stride, const float *from,
                                                      long ds) {
  __m256 r[8], t[8], u[8];
  for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(from + i * ds);
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
    u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
    u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  for (int c = 0; c < 4; c++) {
    _mm256_storeu_ps(to + c * stride, _mm256_permute2f128_ps(u[c], u[c + 4], 0x20));
    _mm256_storeu_ps(to + (c + 4) * stride, _mm256_permute2f128_ps(u[c], u[c + 4], 0x31));
  }
}
#endif

/*
 * Packs `len` rows (A) or columns (B) from d0 on, over p0..p0+kc, into strips of `width`: for
 * each p, `width` consecutive floats of the strip, zero past `len`. The element (d, p) is at
 * from[d·ds + p·ps]: op(A)(i, p) with ds = ars, ps = acs; op(B)(p, j) with ds = bcs, ps = brs.
 */
static void pack(float *to, const float *from, long ds, long ps, long d0, int len, long p0,
                 int kc, int width) {
  if (ds == 1 && (long)kc * ps * (long)sizeof(float) > ROW_PACK_SPAN) {
    /*
     * Each p's floats are consecutive in the source, and a strip spans more than 64 pages of
     * it: read it one p at a time, every strip's piece of it, rather than strip by strip, each
     * p a page or more from the last. A row-major B packed strip by strip took 10–11% of a
     * 512×1024×1024 product in a C harness, and 6.6–7.2% so. Over shorter spans this order was
     * the slower (bench/kernels.js: 784×32×32 Aᵀ·B by 12%, 128×256×256 A·B by 6%).
     */
    const int strips = (len + width - 1) / width;
    for (int p = 0; p < kc; p++) {
      const float *at = from + d0 + (p0 + p) * ps;
      for (int s = 0; s < strips; s++) {
        float *strip = to + ((long)s * kc + p) * width;
        const int count = len - s * width < width ? len - s * width : width;
        int x = 0;
        for (; x < count; x++) strip[x] = at[s * width + x];
        for (; x < width; x++) strip[x] = 0;
      }
    }
    return;
  }
  for (int s = 0; s < len; s += width) {
    const int count = len - s < width ? len - s : width;
    int p = 0;
#if defined(__x86_64__) || defined(__i386__)
    /*
     * A full strip whose elements run along p in the source (a row-major A, the B of A·Bᵀ): in
     * 8×8 blocks, transposed in registers, rather than one float at a time.
     */
    if (ps == 1 && count == width && width % 8 == 0) {
      for (; p + 8 <= kc; p += 8, to += 8 * width) {
        for (int x = 0; x < width; x += 8) {
          transpose8(to + x, width, from + (d0 + s + x) * ds + p0 + p, ds);
        }
      }
    }
#endif
    for (; p < kc; p++, to += width) {
      const float *at = from + (d0 + s) * ds + (p0 + p) * ps;
      int x = 0;
      /* A unit stride of its own, so that the compiler vectorises the copy of a B row. */
      if (ds == 1) {
        for (; x < count; x++) to[x] = at[x];
      } else {
        for (; x < count; x++) to[x] = at[x * ds];
      }
      for (; x < width; x++) to[x] = 0;
    }
  }
}

/*
 * What a Dense layer's forward product does to each block of C as its last panel leaves it:
 * z = C + bias (unless bias is NULL), then out = relu(z) for ACTIVATION_RELU (else out is z
 * itself). The operations of the pass it replaces (assembly/activations.ts biasActivation), so
 * the same bits: relu keeps NaN (it compares false) and turns every z ≤ 0, −0 included, into
 * +0. A full block does it in the microkernel's registers; an edge block below, after its copy.
 */
#define ACTIVATION_RELU 1
typedef struct {
  const float *bias;
  float *out;
  int code;
} epilogue;

/* The edge block of rows × cols at c, which is C's element `at` (column `col`), as above. */
static void finish_edge(const epilogue *e, float *c, long ldc, long at, long col, int rows,
                        int cols) {
  for (int r = 0; r < rows; r++) {
    for (int j = 0; j < cols; j++) {
      float z = c[r * ldc + j];
      if (e->bias != NULL) z += e->bias[col + j];
      c[r * ldc + j] = z;
      if (e->code == ACTIVATION_RELU) e->out[at + r * ldc + j] = z <= 0 ? 0.0f : z;
    }
  }
}

/*
 * C[r0..r1, j0..j1] = (accumulate ? C : 0) + op(A)·op(B) over k. Each KC panel's sum is added
 * to C after the first, which overwrites C unless accumulating. With `finish` (else NULL), each
 * block of C then goes through it as the last panel leaves it.
 */
static void blocked_product(const operands *o, long k, long r0, long r1, long j0, long j1,
                            int accumulate, const epilogue *finish) {
  float edge[MR_MAX * NR_MAX] __attribute__((aligned(64)));
  /*
   * With one block of rows (at most MC) each B strip is read by that block alone, so packing B
   * buys no reuse: full strips of a row-major op(B) are read where they are, and only the last,
   * narrower one is packed (with its zero padding). The same sums, the same bits.
   */
  const int direct = o->bcs == 1 && r1 - r0 <= MC;
  for (long jc = j0; jc < j1; jc += NC) {
    const int nc = j1 - jc < NC ? (int)(j1 - jc) : NC;
    for (long pc = 0; pc < k || (pc == 0 && k == 0); pc += KC) {
      const int kc = k - pc < KC ? (int)(k - pc) : KC;
      const int add = accumulate || pc > 0;
      const epilogue *last = pc + kc >= k ? finish : NULL;
      const int packed_from = direct ? nc / NR * NR : 0;
      pack(b_pack + (long)packed_from * kc, o->b, o->bcs, o->brs, jc + packed_from,
           nc - packed_from, pc, kc, NR);
      for (long ic = r0; ic < r1; ic += MC) {
        const int mc = r1 - ic < MC ? (int)(r1 - ic) : MC;
        pack(a_pack, o->a, o->ars, o->acs, ic, mc, pc, kc, MR);
        for (int jr = 0; jr < nc; jr += NR) {
          const int cols = nc - jr < NR ? nc - jr : NR;
          const int unpacked = jr < packed_from;
          const float *bp = unpacked ? o->b + pc * o->brs + jc + jr : b_pack + (long)jr * kc;
          const long ldb = unpacked ? o->brs : NR;
          for (int ir = 0; ir < mc; ir += MR) {
            const int rows = mc - ir < MR ? mc - ir : MR;
            const float *ap = a_pack + (long)ir * kc;
            float *c = o->c + (ic + ir) * o->ldc + jc + jr;
            const long at = (ic + ir) * o->ldc + jc + jr;
            if (rows == MR && cols == NR) {
              const float *bias = last == NULL || last->bias == NULL ? NULL : last->bias + jc + jr;
              float *out = last == NULL || last->code != ACTIVATION_RELU ? NULL : last->out + at;
              kernel(kc, ap, bp, ldb, c, o->ldc, add, bias, out);
              continue;
            }
            kernel(kc, ap, bp, ldb, edge, NR, 0, NULL, NULL);
            for (int r = 0; r < rows; r++) {
              for (int j = 0; j < cols; j++) {
                const float sum = edge[r * NR + j];
                c[r * o->ldc + j] = add ? c[r * o->ldc + j] + sum : sum;
              }
            }
            if (last != NULL) finish_edge(last, c, o->ldc, at, jc + jr, rows, cols);
          }
        }
      }
      if (kc == 0) break;
    }
  }
}

const char *gs_product(int op, const float *a, const float *b, float *c, long m, long k, long n,
                       int accumulate, long r0, long r1, long j0, long j1) {
  if (kernel == NULL) return "this CPU has no AVX2 with FMA nor AVX-512F";
  if (!packs_allocated()) return "out of memory for the packing buffers";
  operands o = {a, b, c, 0, 0, 0, 0, n};
  if (op == 0) o.ars = k, o.acs = 1, o.brs = n, o.bcs = 1;      /* A·B */
  else if (op == 1) o.ars = 1, o.acs = m, o.brs = n, o.bcs = 1; /* Aᵀ·B, A k×m */
  else o.ars = k, o.acs = 1, o.brs = 1, o.bcs = k;              /* A·Bᵀ, B n×k */
  blocked_product(&o, k, r0, r1, j0, j1, accumulate, NULL);
  return NULL;
}

const char *gs_product_activated(const float *a, const float *b, float *c, long m, long k,
                                 long n, long r0, long r1, long j0, long j1, const float *bias,
                                 float *out, int code) {
  if (kernel == NULL) return "this CPU has no AVX2 with FMA nor AVX-512F";
  if (!packs_allocated()) return "out of memory for the packing buffers";
  operands o = {a, b, c, k, 1, n, 1, n};
  const epilogue finish = {bias, out, code};
  blocked_product(&o, k, r0, r1, j0, j1, 0, &finish);
  return NULL;
}

/*
 * Σ x² over n floats, for a measured product, as the wasm pass takes it (sum-of-squares.ts):
 * squares summed in float32 in groups of eight, the groups in float64. Converting every square
 * to float64 made the loop wait on the conversions (1.96 µs on the reference model's
 * 25,088-float kernel gradient, hot; 0.95 µs so). Element i = 128·b + 16·t + j is the t-th of
 * group (b, j), summed as a tree, ((x₀² + x₁²) + (x₂² + x₃²)) + ((x₄² + x₅²) + (x₆² + x₇²)),
 * into lane j of sixteen float64 sums: so whatever the register width the loops give the same
 * bits. Then the lanes in order, then the tail in float64. Where float32 squares may have lost
 * more than a group's few roundings (overflow, or squares near the subnormals: `exact_squares`'s
 * test, as wasm's checkedSquares), the whole is summed again exactly; so the result is NaN or
 * Infinity exactly when an element is.
 */
#define SQUARE_LANES 16
#define SQUARE_BLOCK 128
/* Below TINY·n the float32 squares may have lost precision to underflow (sum-of-squares.ts). */
#define SQUARES_TINY 7.888609052210118e-31 /* 2⁻¹⁰⁰ */

/* The tree of the eight float32 squares of group j of the block at x (the scalar loop's). */
static double group_squares(const float *x, int j) {
  float q[8];
  for (int t = 0; t < 8; t++) q[t] = x[16 * t + j] * x[16 * t + j];
  return (double)(((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7])));
}

/* Σ x² with each square exact in float64, lane j of sixteen taking the elements i ≡ j mod 16. */
static double exact_squares(const float *x, long n) {
  double lanes[SQUARE_LANES] = {0};
  long i = 0;
  for (; i + SQUARE_LANES <= n; i += SQUARE_LANES) {
    for (int j = 0; j < SQUARE_LANES; j++) lanes[j] += (double)x[i + j] * (double)x[i + j];
  }
  double total = 0;
  for (int j = 0; j < SQUARE_LANES; j++) total += lanes[j];
  for (; i < n; i++) total += (double)x[i] * (double)x[i];
  return total;
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx512f"))) static __m512 square_pair16(const float *x) {
  const __m512 a = _mm512_loadu_ps(x), b = _mm512_loadu_ps(x + 16);
  return _mm512_add_ps(_mm512_mul_ps(a, a), _mm512_mul_ps(b, b));
}

__attribute__((target("avx512f"))) static long squares_avx512(const float *x, long n,
                                                               double *lanes) {
  __m512d lo = _mm512_setzero_pd(), hi = _mm512_setzero_pd();
  long i = 0;
  for (; i + SQUARE_BLOCK <= n; i += SQUARE_BLOCK) {
    const __m512 g = _mm512_add_ps(_mm512_add_ps(square_pair16(x + i), square_pair16(x + i + 32)),
                                   _mm512_add_ps(square_pair16(x + i + 64),
                                                 square_pair16(x + i + 96)));
    lo = _mm512_add_pd(lo, _mm512_cvtps_pd(_mm512_castps512_ps256(g)));
    hi = _mm512_add_pd(
        hi, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(g), 1))));
  }
  _mm512_storeu_pd(lanes, lo);
  _mm512_storeu_pd(lanes + 8, hi);
  return i;
}

__attribute__((target("avx2,fma"))) static __m256 square_pair8(const float *x) {
  const __m256 a = _mm256_loadu_ps(x), b = _mm256_loadu_ps(x + 16);
  return _mm256_add_ps(_mm256_mul_ps(a, a), _mm256_mul_ps(b, b));
}

__attribute__((target("avx2,fma"))) static long squares_avx2(const float *x, long n,
                                                              double *lanes) {
  __m256d s[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(),
                  _mm256_setzero_pd()};
  long i = 0;
  for (; i + SQUARE_BLOCK <= n; i += SQUARE_BLOCK) {
    /* Lanes 0–7 of the groups, then 8–15. */
    for (int half = 0; half < 2; half++) {
      const float *p = x + i + 8 * half;
      const __m256 g = _mm256_add_ps(_mm256_add_ps(square_pair8(p), square_pair8(p + 32)),
                                     _mm256_add_ps(square_pair8(p + 64), square_pair8(p + 96)));
      s[2 * half] = _mm256_add_pd(s[2 * half], _mm256_cvtps_pd(_mm256_castps256_ps128(g)));
      s[2 * half + 1] =
          _mm256_add_pd(s[2 * half + 1], _mm256_cvtps_pd(_mm256_extractf128_ps(g, 1)));
    }
  }
  for (int r = 0; r < 4; r++) _mm256_storeu_pd(lanes + 4 * r, s[r]);
  return i;
}
#endif

double gs_squares(const float *x, long n) {
  double lanes[SQUARE_LANES] = {0};
  long i = 0;
#if defined(__x86_64__) || defined(__i386__)
  if (kernel == NULL) choose_kernel();
  if (NR == 32) i = squares_avx512(x, n, lanes);
  else if (NR == 16) i = squares_avx2(x, n, lanes);
#endif
  /* Without a vector loop the groups are summed here, in the same order. */
  for (; i + SQUARE_BLOCK <= n; i += SQUARE_BLOCK) {
    for (int j = 0; j < SQUARE_LANES; j++) lanes[j] += group_squares(x + i, j);
  }
  double total = 0;
  for (int j = 0; j < SQUARE_LANES; j++) total += lanes[j];
  for (; i < n; i++) total += (double)x[i] * (double)x[i];
  if (!(total >= SQUARES_TINY * (double)n && total < INFINITY)) return exact_squares(x, n);
  return total;
}
