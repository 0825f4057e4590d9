/* The native kernels the addon (addon.c) exposes to src/engine/kernels/native.ts. */
#ifndef GRADSCOPE_KERNELS_H
#define GRADSCOPE_KERNELS_H

#include <stdint.h>

/* Whether this CPU has AVX-512F, which Adam's update and the elementwise passes below need. */
static inline int gs_avx512f(void) {
#if defined(__x86_64__) || defined(__i386__)
  static int has = -1;
  if (has < 0) {
    __builtin_cpu_init();
    has = __builtin_cpu_supports("avx512f") != 0;
  }
  return has;
#else
  return 0;
#endif
}

/*
 * C[r0..r1, j0..j1] (+)= op(A)·op(B): op 0 is A·B, 1 is Aᵀ·B (A k×m), 2 is A·Bᵀ (B n×k); C is
 * m×n, row-major. Returns NULL, or why it could not run.
 */
const char *gs_product(int op, const float *a, const float *b, float *c, long m, long k, long n,
                       int accumulate, long r0, long r1, long j0, long j1);

/*
 * A Dense layer's forward: C[r0..r1, j0..j1] = A·B (A m×k, B k×n), then z = C + bias (bias NULL:
 * none) into C and, for code 1, out = relu(z) (code 0: linear, out unused): the bits of the
 * product followed by assembly/activations.ts's biasActivation. Returns NULL, or why it could
 * not run.
 */
const char *gs_product_activated(const float *a, const float *b, float *c, long m, long k,
                                 long n, long r0, long r1, long j0, long j1, const float *bias,
                                 float *out, int code);

/* Σ x² over n floats, in float64 (a measured product's norm): the same bits at every width. */
double gs_squares(const float *x, long n);

/* Frees this thread's packing buffers (2.2 MB), which gs_product allocates on first use. */
void gs_release_packs(void);

/* "avx512", "avx2" or "none": the register width of gs_product's loop on this CPU. */
const char *gs_product_width(void);

/*
 * Adam's update of n weights with the bits of assembly/adam.ts's adamUpdate, Σ Δ² included
 * (mode 0: none, 1: guarded, 2: scaled by `scale`), and Σ w² of the new weights stored at
 * `squares_at` unless it is NULL. Only where gs_avx512f().
 */
double gs_adam(float *w, const float *g, float *m, float *v, long n, float lrT, float a1,
               float a2, float eps, int mode, float scale, double *squares_at);

/*
 * out[b·size + p] = images[indices[b]·size + p] / 255 for b < count, p < size (the IEEE
 * quotient's bits), reading the `image_bytes` bytes at `images` where they are. Returns NULL,
 * or why it could not run (an index past the images).
 */
const char *gs_gather_scaled(const uint8_t *images, long image_bytes, const int32_t *indices,
                             long count, long size, float *out);

/*
 * a = softmax(z) over `rows` rows of `cols` floats with the bits of the TypeScript reference
 * (Math.exp: fdlibm's exp); each row's max and Σ exp(z − max) into `stats` (2 a row) unless NULL.
 * AVX-512 where gs_product_width() is "avx512", else one value at a time.
 */
void gs_softmax(const float *z, float *a, long rows, long cols, double *stats);

/*
 * out = g · f′(z) for relu over n floats (f′ = 1 where z > 0, else 0), with the bits of the wasm
 * kernel; `out` may be `g`. Only where gs_avx512f().
 */
void gs_relu_grad(const float *z, const float *g, float *out, long n);

/*
 * BatchNormalization's passes and the unmeasured row sums (native/columns.c), with the bits of
 * assembly/batch-norm.ts and rows.ts; only where gs_avx512f() (elsewhere they do nothing). Null
 * gamma and beta stand for 1 and 0, as there.
 */
void gs_column_moments(const float *x, long rows, long cols, float *mean, float *variance);
void gs_normalize(const float *x, const float *mean, const float *inv_std, const float *gamma,
                  const float *beta, float *x_hat, float *y, long rows, long cols);
void gs_grad_sums(const float *g, const float *x_hat, long rows, long cols, float *sum,
                  float *sum_x_hat);
void gs_input_grad(const float *g, const float *x_hat, const float *scale, const float *mean_grad,
                   const float *mean_grad_x_hat, float *out, long rows, long cols);
void gs_sum_rows(const float *m, float *out, long rows, long cols);


#endif
