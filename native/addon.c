/*
 * The Node-API face of the native kernels (kernels.h), for src/engine/kernels/native.ts:
 * setMemory(view) once per thread, then product(op, a, b, c, m, k, n, accumulate, r0, r1, j0,
 * j1, measure), productActivated(a, b, c, m, k, n, r0, r1, j0, j1, bias, out, code) (a Dense
 * layer's forward: the product, its bias and its relu), reluGrad(z, g, out, n), the column
 * passes columnMoments, normalize, gradSums, inputGrad and sumRows (native/columns.c),
 * squares(x, n) and adamUpdate(w, g, m, v, n, lrT, a1, a2, eps, mode, scale, squaresAt) on byte
 * addresses into that heap, as the WebAssembly exports take them;
 * gatherScaled(images, indices, count, size, out) from a Uint8Array of images into the heap;
 * softmax(z, a, rows, cols, stats) with Math.exp's bits, the rows' sums into a Float64Array;
 * `width` and `adam` say what this CPU runs; threadCpuSeconds() is the calling thread's CPU time.
 */
#include <node_api.h>
#include <stdint.h>
#include <time.h>

#include "kernels.h"

/* Per thread: a worker thread that trains its own model has a heap of its own. */
static _Thread_local uint8_t *memory_base = NULL;

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* The heap: a Uint8Array over the WebAssembly memory's (shared, so never moving) buffer. */
static napi_value set_memory(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value view;
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_cb_info(env, info, &argc, &view, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_typedarray_info(env, view, &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    return throw_error(env, "setMemory: expected a Uint8Array over the heap memory");
  }
  memory_base = data;
  return NULL;
}

/* `count` numbers from the call's arguments into `out`; 0 with an error thrown otherwise. */
static int numbers(napi_env env, napi_callback_info info, size_t count, double *out,
                   const char *usage) {
  napi_value argv[13];
  size_t argc = 13;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != count) {
    throw_error(env, usage);
    return 0;
  }
  for (size_t i = 0; i < count; i++) {
    if (napi_get_value_double(env, argv[i], &out[i]) != napi_ok) {
      throw_error(env, usage);
      return 0;
    }
  }
  if (memory_base == NULL) {
    throw_error(env, "gradscope native kernels: setMemory was not called on this thread");
    return 0;
  }
  return 1;
}

#define AT(type, address) ((type *)(memory_base + (uint64_t)(address)))

static napi_value number(napi_env env, double x) {
  napi_value result;
  napi_create_double(env, x, &result);
  return result;
}

/* With `measure` (a whole product only) it returns Σ x² over C after it, else 0: one call. */
static napi_value product(napi_env env, napi_callback_info info) {
  double v[13];
  if (!numbers(env, info, 13, v,
               "product: expected 13 numbers (op, a, b, c, m, k, n, accumulate, r0, r1, j0, j1, "
               "measure)")) {
    return NULL;
  }
  float *c = AT(float, v[3]);
  const long m = (long)v[4], n = (long)v[6];
  const char *failed = gs_product((int)v[0], AT(const float, v[1]), AT(const float, v[2]), c, m,
                                  (long)v[5], n, v[7] != 0, (long)v[8], (long)v[9], (long)v[10],
                                  (long)v[11]);
  if (failed != NULL) return throw_error(env, failed);
  return number(env, v[12] != 0 ? gs_squares(c, m * n) : 0);
}

/* productActivated(a, b, c, m, k, n, r0, r1, j0, j1, bias, out, code): bias 0 for none. */
static napi_value product_activated(napi_env env, napi_callback_info info) {
  double v[13];
  if (!numbers(env, info, 13, v,
               "productActivated: expected 13 numbers (a, b, c, m, k, n, r0, r1, j0, j1, bias, "
               "out, code)")) {
    return NULL;
  }
  const char *failed = gs_product_activated(
      AT(const float, v[0]), AT(const float, v[1]), AT(float, v[2]), (long)v[3], (long)v[4],
      (long)v[5], (long)v[6], (long)v[7], (long)v[8], (long)v[9],
      v[10] == 0 ? NULL : AT(const float, v[10]), AT(float, v[11]), (int)v[12]);
  return failed == NULL ? NULL : throw_error(env, failed);
}

/*
 * The AVX-512 passes (native/activations.c, columns.c) take heap addresses and sizes, as the
 * wasm exports do: `count` of them into v, on a CPU with AVX-512F; 0 with an error thrown
 * otherwise.
 */
static int avx512_args(napi_env env, napi_callback_info info, size_t count, double *v,
                       const char *usage) {
  if (!numbers(env, info, count, v, usage)) return 0;
  if (gs_avx512f()) return 1;
  throw_error(env, "this native pass needs AVX-512F, which this CPU has not");
  return 0;
}

/* A Node-API function `name` over `count` numbers that runs `pass` (which reads them as v). */
#define AVX512_PASS(name, count, usage, pass)                    \
  static napi_value name(napi_env env, napi_callback_info info) { \
    double v[count];                                              \
    if (avx512_args(env, info, count, v, usage)) pass;            \
    return NULL;                                                  \
  }

AVX512_PASS(relu_grad, 4, "reluGrad: expected 4 numbers (z, g, out, n)",
            gs_relu_grad(AT(const float, v[0]), AT(const float, v[1]), AT(float, v[2]),
                         (long)v[3]))
AVX512_PASS(column_moments, 5, "columnMoments: expected 5 numbers (x, rows, cols, mean, variance)",
            gs_column_moments(AT(const float, v[0]), (long)v[1], (long)v[2], AT(float, v[3]),
                              AT(float, v[4])))
/* gamma and beta 0 for none. */
AVX512_PASS(normalize, 9,
            "normalize: expected 9 numbers (x, mean, invStd, gamma, beta, xHat, y, rows, cols)",
            gs_normalize(AT(const float, v[0]), AT(const float, v[1]), AT(const float, v[2]),
                         v[3] == 0 ? NULL : AT(const float, v[3]),
                         v[4] == 0 ? NULL : AT(const float, v[4]), AT(float, v[5]),
                         AT(float, v[6]), (long)v[7], (long)v[8]))
AVX512_PASS(grad_sums, 6, "gradSums: expected 6 numbers (g, xHat, rows, cols, sum, sumXHat)",
            gs_grad_sums(AT(const float, v[0]), AT(const float, v[1]), (long)v[2], (long)v[3],
                         AT(float, v[4]), AT(float, v[5])))
AVX512_PASS(input_grad, 8,
            "inputGrad: expected 8 numbers (g, xHat, scale, meanGrad, meanGradXHat, out, rows, "
            "cols)",
            gs_input_grad(AT(const float, v[0]), AT(const float, v[1]), AT(const float, v[2]),
                          AT(const float, v[3]), AT(const float, v[4]), AT(float, v[5]),
                          (long)v[6], (long)v[7]))
AVX512_PASS(sum_rows, 4, "sumRows: expected 4 numbers (m, out, rows, cols)",
            gs_sum_rows(AT(const float, v[0]), AT(float, v[1]), (long)v[2], (long)v[3]))

static napi_value squares(napi_env env, napi_callback_info info) {
  double v[2];
  if (!numbers(env, info, 2, v, "squares: expected 2 numbers (x, n)")) return NULL;
  return number(env, gs_squares(AT(const float, v[0]), (long)v[1]));
}

static napi_value adam_update(napi_env env, napi_callback_info info) {
  double v[12];
  if (!numbers(env, info, 12, v,
               "adamUpdate: expected 12 numbers (w, g, m, v, n, lrT, a1, a2, eps, mode, "
               "scale, squaresAt)")) {
    return NULL;
  }
  if (!gs_avx512f()) return throw_error(env, "adamUpdate: this CPU has no AVX-512F");
  double *squares_at = v[11] == 0 ? NULL : AT(double, v[11]);
  return number(env, gs_adam(AT(float, v[0]), AT(const float, v[1]), AT(float, v[2]),
                             AT(float, v[3]), (long)v[4], (float)v[5], (float)v[6], (float)v[7],
                             (float)v[8], (int)v[9], (float)v[10], squares_at));
}

/* images: a Uint8Array, wherever it lies; indices (int32) and out (float32): heap addresses. */
static napi_value gather_scaled(napi_env env, napi_callback_info info) {
  const char *usage =
      "gatherScaled: expected a Uint8Array and 4 numbers (images, indices, count, size, out)";
  napi_value argv[5];
  size_t argc = 5;
  napi_typedarray_type type;
  size_t length;
  void *images;
  double v[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5 ||
      napi_get_typedarray_info(env, argv[0], &type, &length, &images, NULL, NULL) != napi_ok ||
      type != napi_uint8_array) {
    return throw_error(env, usage);
  }
  for (int i = 0; i < 4; i++) {
    if (napi_get_value_double(env, argv[i + 1], &v[i]) != napi_ok) return throw_error(env, usage);
  }
  if (memory_base == NULL) {
    return throw_error(env, "gradscope native kernels: setMemory was not called on this thread");
  }
  const char *failed = gs_gather_scaled(images, (long)length, AT(const int32_t, v[0]), (long)v[1],
                                        (long)v[2], AT(float, v[3]));
  return failed == NULL ? NULL : throw_error(env, failed);
}

/* softmax(z, a, rows, cols, stats): heap addresses, and a Float64Array for the rows' sums or null. */
static napi_value softmax(napi_env env, napi_callback_info info) {
  const char *usage = "softmax: expected 4 numbers and a Float64Array or null (z, a, rows, cols, stats)";
  napi_value argv[5];
  size_t argc = 5;
  double v[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 5) {
    return throw_error(env, usage);
  }
  for (int i = 0; i < 4; i++) {
    if (napi_get_value_double(env, argv[i], &v[i]) != napi_ok) return throw_error(env, usage);
  }
  double *stats = NULL;
  napi_valuetype kind;
  if (napi_typeof(env, argv[4], &kind) != napi_ok) return throw_error(env, usage);
  if (kind != napi_null) {
    napi_typedarray_type type;
    size_t length;
    void *data;
    if (napi_get_typedarray_info(env, argv[4], &type, &length, &data, NULL, NULL) != napi_ok ||
        type != napi_float64_array) {
      return throw_error(env, usage);
    }
    if ((double)length < 2 * v[2]) return throw_error(env, "softmax: stats holds fewer than 2 floats a row");
    stats = data;
  }
  if (memory_base == NULL) {
    return throw_error(env, "gradscope native kernels: setMemory was not called on this thread");
  }
  gs_softmax(AT(const float, v[0]), AT(float, v[1]), (long)v[2], (long)v[3], stats);
  return NULL;
}

/*
 * The calling thread's CPU seconds, for the benchmarks: Node 20's process.cpuUsage counts every
 * thread's, and process.threadCpuUsage came only in Node 23.9.
 */
static napi_value thread_cpu_seconds(napi_env env, napi_callback_info info) {
  (void)info;
  struct timespec now;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) != 0) {
    return throw_error(env, "threadCpuSeconds: clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
  }
  return number(env, (double)now.tv_sec + (double)now.tv_nsec * 1e-9);
}

static void export_function(napi_env env, napi_value exports, const char *name,
                            napi_callback callback) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

/* When a thread's environment ends (a worker thread that trained a model), on that thread. */
static void release_thread(void *unused) {
  (void)unused;
  gs_release_packs();
}

NAPI_MODULE_INIT() {
  napi_add_env_cleanup_hook(env, release_thread, NULL);
  export_function(env, exports, "setMemory", set_memory);
  export_function(env, exports, "product", product);
  export_function(env, exports, "productActivated", product_activated);
  export_function(env, exports, "reluGrad", relu_grad);
  export_function(env, exports, "columnMoments", column_moments);
  export_function(env, exports, "normalize", normalize);
  export_function(env, exports, "gradSums", grad_sums);
  export_function(env, exports, "inputGrad", input_grad);
  export_function(env, exports, "sumRows", sum_rows);
  export_function(env, exports, "squares", squares);
  export_function(env, exports, "adamUpdate", adam_update);
  export_function(env, exports, "gatherScaled", gather_scaled);
  export_function(env, exports, "softmax", softmax);
  export_function(env, exports, "threadCpuSeconds", thread_cpu_seconds);
  napi_value width, adam;
  napi_create_string_utf8(env, gs_product_width(), NAPI_AUTO_LENGTH, &width);
  napi_set_named_property(env, exports, "width", width);
  napi_get_boolean(env, gs_avx512f(), &adam);
  napi_set_named_property(env, exports, "adam", adam);
  return exports;
}
