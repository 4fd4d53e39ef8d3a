/*
 * clipwb_blas: OpenBLAS's sgemm on the tfjs wasm heap, in place.
 *
 * The wasm backend keeps every tensor in one WebAssembly.Memory. Its ArrayBuffer is passed in on each call
 * (it is replaced when the heap grows), and operands and the output are byte offsets into it, so a product
 * runs on the tensors' own memory with no copy in or out. Row-major, C = op(A) * op(B), beta = 0.
 *
 *   sgemm(heap, transA, transB, M, N, K, aOff, bOff, cOff, batch, strideA, strideB, strideC)
 *     strides are in floats between batch items; 0 repeats one operand for every item (broadcast).
 *   unary(heap, op, inOff, outOff, n)             op 0: exp, 1: erf (float32)
 *   transpose(heap, inOff, outOff, shape, perm)   4-byte elements; shape/perm already simplified, rank <= 8
 *   sum(heap, inOff, outOff, rows, n, leading)    float32 [rows, n]: column sums (leading) or row sums
 *   setThreads(n), threads(), config()
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>

#include "elementwise.h"

#define CHECK(call)                                                                 \
  do {                                                                              \
    if ((call) != napi_ok) {                                                        \
      napi_throw_error(env, NULL, "clipwb_blas: N-API call failed: " #call);       \
      return NULL;                                                                  \
    }                                                                               \
  } while (0)

extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);

static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 13) {
    napi_throw_type_error(env, NULL, "clipwb_blas.sgemm: expected 13 arguments");
    return NULL;
  }
  void *data = NULL;
  size_t bytes = 0;
  bool isAb = false;
  CHECK(napi_is_arraybuffer(env, argv[0], &isAb));
  if (!isAb) {
    napi_throw_type_error(env, NULL, "clipwb_blas.sgemm: heap must be an ArrayBuffer");
    return NULL;
  }
  CHECK(napi_get_arraybuffer_info(env, argv[0], &data, &bytes));
  bool ta = false, tb = false;
  CHECK(napi_get_value_bool(env, argv[1], &ta));
  CHECK(napi_get_value_bool(env, argv[2], &tb));
  int64_t v[10];
  for (int i = 0; i < 10; i++) CHECK(napi_get_value_int64(env, argv[3 + i], &v[i]));
  const int64_t M = v[0], N = v[1], K = v[2], aOff = v[3], bOff = v[4], cOff = v[5], batch = v[6], sA = v[7], sB = v[8], sC = v[9];
  if (M <= 0 || N <= 0 || K <= 0 || batch <= 0 || sA < 0 || sB < 0 || sC < 0 || aOff < 0 || bOff < 0 || cOff < 0 ||
      (aOff & 3) || (bOff & 3) || (cOff & 3) || M > INT32_MAX || N > INT32_MAX || K > INT32_MAX) {
    napi_throw_range_error(env, NULL, "clipwb_blas.sgemm: invalid sizes, strides or offsets");
    return NULL;
  }
  /* Bounds: the last item of each operand must end inside the heap. */
  const int64_t endA = aOff + 4 * ((batch - 1) * sA + M * K);
  const int64_t endB = bOff + 4 * ((batch - 1) * sB + K * N);
  const int64_t endC = cOff + 4 * ((batch - 1) * sC + M * N);
  if (endA > (int64_t)bytes || endB > (int64_t)bytes || endC > (int64_t)bytes) {
    napi_throw_range_error(env, NULL, "clipwb_blas.sgemm: an operand reaches past the end of the heap");
    return NULL;
  }
  float *base = (float *)data;
  const float *A = base + aOff / 4;
  const float *B = base + bOff / 4;
  float *C = base + cOff / 4;
  const int lda = ta ? (int)M : (int)K;
  const int ldb = tb ? (int)K : (int)N;
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K, 1.0f,
                A + i * sA, lda, B + i * sB, ldb, 0.0f, C + i * sC, (int)N);
  }
  return NULL;
}

/* The heap's data and size, or NULL with a JS exception pending. */
static void *heap_of(napi_env env, napi_value v, size_t *bytes, const char *fn) {
  bool isAb = false;
  void *data = NULL;
  if (napi_is_arraybuffer(env, v, &isAb) != napi_ok || !isAb || napi_get_arraybuffer_info(env, v, &data, bytes) != napi_ok) {
    char msg[128];
    snprintf(msg, sizeof msg, "clipwb_blas.%s: heap must be an ArrayBuffer", fn);
    napi_throw_type_error(env, NULL, msg);
    return NULL;
  }
  return data;
}

static napi_value unary(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 5) { napi_throw_type_error(env, NULL, "clipwb_blas.unary: expected 5 arguments"); return NULL; }
  size_t bytes = 0;
  void *data = heap_of(env, argv[0], &bytes, "unary");
  if (!data) return NULL;
  int64_t v[4];
  for (int i = 0; i < 4; i++) CHECK(napi_get_value_int64(env, argv[1 + i], &v[i]));
  const int64_t op = v[0], inOff = v[1], outOff = v[2], n = v[3];
  if (op < 0 || op > 1 || n < 0 || inOff < 0 || outOff < 0 || (inOff & 3) || (outOff & 3) ||
      inOff + 4 * n > (int64_t)bytes || outOff + 4 * n > (int64_t)bytes) {
    napi_throw_range_error(env, NULL, "clipwb_blas.unary: invalid op, size or offsets (or past the end of the heap)");
    return NULL;
  }
  const float *x = (const float *)((char *)data + inOff);
  float *y = (float *)((char *)data + outOff);
  if (op == 0) cw_exp(x, y, n); else cw_erf(x, y, n);
  return NULL;
}

static napi_value sum(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 6) { napi_throw_type_error(env, NULL, "clipwb_blas.sum: expected 6 arguments"); return NULL; }
  size_t bytes = 0;
  void *data = heap_of(env, argv[0], &bytes, "sum");
  if (!data) return NULL;
  int64_t v[4];
  for (int i = 0; i < 4; i++) CHECK(napi_get_value_int64(env, argv[1 + i], &v[i]));
  bool leading = false;
  CHECK(napi_get_value_bool(env, argv[5], &leading));
  const int64_t inOff = v[0], outOff = v[1], rows = v[2], n = v[3];
  const int64_t outCount = leading ? n : rows;
  if (rows < 0 || n < 0 || inOff < 0 || outOff < 0 || (inOff & 3) || (outOff & 3) ||
      inOff + 4 * rows * n > (int64_t)bytes || outOff + 4 * outCount > (int64_t)bytes) {
    napi_throw_range_error(env, NULL, "clipwb_blas.sum: invalid sizes or offsets (or past the end of the heap)");
    return NULL;
  }
  cw_sum((const float *)((char *)data + inOff), (float *)((char *)data + outOff), rows, n, leading);
  return NULL;
}

static int read_int_array(napi_env env, napi_value arr, int64_t *out, uint32_t *len) {
  bool isArray = false;
  if (napi_is_array(env, arr, &isArray) != napi_ok || !isArray) return 0;
  if (napi_get_array_length(env, arr, len) != napi_ok || *len > CW_MAX_RANK) return 0;
  for (uint32_t i = 0; i < *len; i++) {
    napi_value e;
    if (napi_get_element(env, arr, i, &e) != napi_ok || napi_get_value_int64(env, e, &out[i]) != napi_ok) return 0;
  }
  return 1;
}

static napi_value transpose(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 5) { napi_throw_type_error(env, NULL, "clipwb_blas.transpose: expected 5 arguments"); return NULL; }
  size_t bytes = 0;
  void *data = heap_of(env, argv[0], &bytes, "transpose");
  if (!data) return NULL;
  int64_t inOff = 0, outOff = 0, shape[CW_MAX_RANK], perm64[CW_MAX_RANK];
  uint32_t rank = 0, permLen = 0;
  CHECK(napi_get_value_int64(env, argv[1], &inOff));
  CHECK(napi_get_value_int64(env, argv[2], &outOff));
  if (!read_int_array(env, argv[3], shape, &rank) || !read_int_array(env, argv[4], perm64, &permLen) || permLen != rank) {
    napi_throw_type_error(env, NULL, "clipwb_blas.transpose: shape and perm must be arrays of the same length <= 8");
    return NULL;
  }
  int32_t perm[CW_MAX_RANK];
  int seen[CW_MAX_RANK] = {0};
  int64_t total = 1;
  for (uint32_t i = 0; i < rank; i++) {
    if (shape[i] < 0 || perm64[i] < 0 || perm64[i] >= rank || seen[perm64[i]]++) {
      napi_throw_range_error(env, NULL, "clipwb_blas.transpose: perm must be a permutation of the axes and sizes >= 0");
      return NULL;
    }
    perm[i] = (int32_t)perm64[i];
    total *= shape[i];
  }
  if (inOff < 0 || outOff < 0 || (inOff & 3) || (outOff & 3) || inOff + 4 * total > (int64_t)bytes || outOff + 4 * total > (int64_t)bytes) {
    napi_throw_range_error(env, NULL, "clipwb_blas.transpose: an operand reaches past the end of the heap");
    return NULL;
  }
  if (total > 0) cw_transpose((const uint32_t *)((char *)data + inOff), (uint32_t *)((char *)data + outOff), shape, perm, (int)rank);
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t n = 1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    napi_throw_range_error(env, NULL, "clipwb_blas.setThreads: expected an integer >= 1");
    return NULL;
  }
  openblas_set_num_threads(n);
  return NULL;
}

static napi_value threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &out));
  return out;
}

static napi_value config(napi_env env, napi_callback_info info) {
  (void)info;
  char text[512];
  snprintf(text, sizeof text, "%s; core %s", openblas_get_config(), openblas_get_corename());
  napi_value out;
  CHECK(napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"unary", NULL, unary, NULL, NULL, NULL, napi_default, NULL},
    {"sum", NULL, sum, NULL, NULL, NULL, napi_default, NULL},
    {"transpose", NULL, transpose, NULL, NULL, NULL, napi_default, NULL},
    {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
    {"threads", NULL, threads, NULL, NULL, NULL, napi_default, NULL},
    {"config", NULL, config, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
