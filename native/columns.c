/*
 * Passes over a rows × cols batch, column by column (feature by feature), with 512-bit
 * registers: BatchNormalization's four (assembly/batch-norm.ts) and the bias gradient's row sums
 * (assembly/rows.ts sumRowsInto, unmeasured). Sixteen columns a register where wasm takes four;
 * each column gets the wasm loop's operations in the same order (sums in float32, row by row,
 * no fused multiply-add: binding.gyp), so the same bits. The sums walk down the columns (loads
 * only); the passes that store walk the rows in address order, as the wasm ones do, so that no
 * load meets a store a few rows back at the same address modulo 4096.
 */
#include "kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include "lanes16.h"

/*
 * The column sums walk four registers of columns at once where there are that many: one chain
 * of adds per register, each waiting on its last add, so one register alone ran little faster
 * than the wasm loop's four (the row sums, hot, 32×256: 0.40 µs in wasm, 0.30 natively; 0.23
 * with four).
 */
#define GROUP 64

/* mean and variance of the columns j..j+15 (those before cols). */
TARGET static void moments16(const float *x, long rows, long cols, long j, __m512 inv, float *mean,
                             float *variance) {
  const __mmask16 k = lanes(j, cols);
  __m512 s = _mm512_setzero_ps();
  for (long r = 0; r < rows; r++) s = _mm512_add_ps(s, load(x + r * cols + j, k));
  const __m512 mu = _mm512_mul_ps(s, inv);
  __m512 q = _mm512_setzero_ps();
  for (long r = 0; r < rows; r++) {
    const __m512 d = _mm512_sub_ps(load(x + r * cols + j, k), mu);
    q = _mm512_add_ps(q, _mm512_mul_ps(d, d));
  }
  store(mean + j, k, mu);
  store(variance + j, k, _mm512_mul_ps(q, inv));
}

TARGET void gs_column_moments(const float *x, long rows, long cols, float *mean, float *variance) {
  const __m512 inv = _mm512_set1_ps(1.0f / (float)rows);
  long j = 0;
  for (; j + GROUP <= cols; j += GROUP) {
    __m512 s[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                   _mm512_setzero_ps()};
    for (long r = 0; r < rows; r++) {
      for (int t = 0; t < 4; t++) {
        s[t] = _mm512_add_ps(s[t], _mm512_loadu_ps(x + r * cols + j + 16 * t));
      }
    }
    __m512 mu[4], q[4];
    for (int t = 0; t < 4; t++) mu[t] = _mm512_mul_ps(s[t], inv), q[t] = _mm512_setzero_ps();
    for (long r = 0; r < rows; r++) {
      for (int t = 0; t < 4; t++) {
        const __m512 d = _mm512_sub_ps(_mm512_loadu_ps(x + r * cols + j + 16 * t), mu[t]);
        q[t] = _mm512_add_ps(q[t], _mm512_mul_ps(d, d));
      }
    }
    for (int t = 0; t < 4; t++) {
      _mm512_storeu_ps(mean + j + 16 * t, mu[t]);
      _mm512_storeu_ps(variance + j + 16 * t, _mm512_mul_ps(q[t], inv));
    }
  }
  for (; j < cols; j += 16) moments16(x, rows, cols, j, inv, mean, variance);
}

TARGET void gs_normalize(const float *x, const float *mean, const float *inv_std,
                         const float *gamma, const float *beta, float *x_hat, float *y, long rows,
                         long cols) {
  for (long r = 0; r < rows; r++) {
    const long row = r * cols;
    for (long j = 0; j < cols; j += 16) {
      const __mmask16 k = lanes(j, cols);
      const __m512 g = gamma != NULL ? load(gamma + j, k) : _mm512_set1_ps(1.0f);
      const __m512 b = beta != NULL ? load(beta + j, k) : _mm512_setzero_ps();
      const __m512 d = _mm512_sub_ps(load(x + row + j, k), load(mean + j, k));
      const __m512 h = _mm512_mul_ps(d, load(inv_std + j, k));
      store(x_hat + row + j, k, h);
      store(y + row + j, k, _mm512_add_ps(_mm512_mul_ps(g, h), b));
    }
  }
}

TARGET void gs_grad_sums(const float *g, const float *x_hat, long rows, long cols, float *sum,
                         float *sum_x_hat) {
  long j = 0;
  for (; j + GROUP <= cols; j += GROUP) {
    __m512 s[4], sx[4];
    for (int t = 0; t < 4; t++) s[t] = sx[t] = _mm512_setzero_ps();
    for (long r = 0; r < rows; r++) {
      for (int t = 0; t < 4; t++) {
        const __m512 gv = _mm512_loadu_ps(g + r * cols + j + 16 * t);
        s[t] = _mm512_add_ps(s[t], gv);
        const __m512 xh = _mm512_loadu_ps(x_hat + r * cols + j + 16 * t);
        sx[t] = _mm512_add_ps(sx[t], _mm512_mul_ps(gv, xh));
      }
    }
    for (int t = 0; t < 4; t++) {
      _mm512_storeu_ps(sum + j + 16 * t, s[t]);
      _mm512_storeu_ps(sum_x_hat + j + 16 * t, sx[t]);
    }
  }
  for (; j < cols; j += 16) {
    const __mmask16 k = lanes(j, cols);
    __m512 s = _mm512_setzero_ps(), sx = _mm512_setzero_ps();
    for (long r = 0; r < rows; r++) {
      const __m512 gv = load(g + r * cols + j, k);
      s = _mm512_add_ps(s, gv);
      sx = _mm512_add_ps(sx, _mm512_mul_ps(gv, load(x_hat + r * cols + j, k)));
    }
    store(sum + j, k, s);
    store(sum_x_hat + j, k, sx);
  }
}

TARGET void gs_input_grad(const float *g, const float *x_hat, const float *scale,
                          const float *mean_grad, const float *mean_grad_x_hat, float *out,
                          long rows, long cols) {
  for (long r = 0; r < rows; r++) {
    const long row = r * cols;
    for (long j = 0; j < cols; j += 16) {
      const __mmask16 k = lanes(j, cols);
      const __m512 centred = _mm512_sub_ps(load(g + row + j, k), load(mean_grad + j, k));
      const __m512 along = _mm512_mul_ps(load(x_hat + row + j, k), load(mean_grad_x_hat + j, k));
      const __m512 d = _mm512_sub_ps(centred, along);
      store(out + row + j, k, _mm512_mul_ps(load(scale + j, k), d));
    }
  }
}

TARGET void gs_sum_rows(const float *m, float *out, long rows, long cols) {
  long j = 0;
  for (; j + GROUP <= cols; j += GROUP) {
    __m512 s[4];
    for (int t = 0; t < 4; t++) s[t] = _mm512_loadu_ps(out + j + 16 * t);
    for (long r = 0; r < rows; r++) {
      for (int t = 0; t < 4; t++) {
        s[t] = _mm512_add_ps(s[t], _mm512_loadu_ps(m + r * cols + j + 16 * t));
      }
    }
    for (int t = 0; t < 4; t++) _mm512_storeu_ps(out + j + 16 * t, s[t]);
  }
  for (; j < cols; j += 16) {
    const __mmask16 k = lanes(j, cols);
    __m512 s = load(out + j, k);
    for (long r = 0; r < rows; r++) s = _mm512_add_ps(s, load(m + r * cols + j, k));
    store(out + j, k, s);
  }
}
#else
void gs_column_moments(const float *x, long rows, long cols, float *mean, float *variance) {
  (void)x, (void)rows, (void)cols, (void)mean, (void)variance;
}
void gs_normalize(const float *x, const float *mean, const float *inv_std, const float *gamma,
                  const float *beta, float *x_hat, float *y, long rows, long cols) {
  (void)x, (void)mean, (void)inv_std, (void)gamma, (void)beta, (void)x_hat, (void)y, (void)rows,
      (void)cols;
}
void gs_grad_sums(const float *g, const float *x_hat, long rows, long cols, float *sum,
                  float *sum_x_hat) {
  (void)g, (void)x_hat, (void)rows, (void)cols, (void)sum, (void)sum_x_hat;
}
void gs_input_grad(const float *g, const float *x_hat, const float *scale, const float *mean_grad,
                   const float *mean_grad_x_hat, float *out, long rows, long cols) {
  (void)g, (void)x_hat, (void)scale, (void)mean_grad, (void)mean_grad_x_hat, (void)out,
      (void)rows, (void)cols;
}
void gs_sum_rows(const float *m, float *out, long rows, long cols) {
  (void)m, (void)out, (void)rows, (void)cols;
}
#endif
