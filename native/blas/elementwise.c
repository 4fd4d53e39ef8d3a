/*
 * Element-wise kernels and transposes on the wasm heap, for the ops where wasm is slowest.
 *
 * Compiled with -ffast-math so GCC vectorises expf/erff through glibc's libmvec (4 lanes on any x86-64,
 * 8 on AVX2 through the target clone); libmvec's float results are within a few ulp of the scalar ones.
 * -ffast-math is a compile flag only: node-gyp links without it, so crtfastmath.o (which would switch the
 * whole process to flush-to-zero) is not linked in.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "elementwise.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CLONES
#endif

CLONES void cw_exp(const float *restrict x, float *restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = expf(x[i]);
}

CLONES void cw_erf(const float *restrict x, float *restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = erff(x[i]);
}

/* Plain 2-D transpose of a [rows, cols] block in 32x32 tiles. */
static void transpose2d(const uint32_t *restrict x, uint32_t *restrict y, int64_t rows, int64_t cols) {
  enum { T = 32 };
  for (int64_t r0 = 0; r0 < rows; r0 += T) {
    const int64_t r1 = r0 + T < rows ? r0 + T : rows;
    for (int64_t c0 = 0; c0 < cols; c0 += T) {
      const int64_t c1 = c0 + T < cols ? c0 + T : cols;
      for (int64_t r = r0; r < r1; r++)
        for (int64_t c = c0; c < c1; c++) y[c * rows + r] = x[r * cols + c];
    }
  }
}

/*
 * Transpose of 4-byte elements. shape/perm are the input's, already with size-1 axes dropped and adjacent
 * axes that stay adjacent merged (the caller does that), rank <= CW_MAX_RANK.
 */
void cw_transpose(const uint32_t *restrict x, uint32_t *restrict y, const int64_t *shape, const int32_t *perm, int rank) {
  int64_t inStride[CW_MAX_RANK], outShape[CW_MAX_RANK], srcStride[CW_MAX_RANK], idx[CW_MAX_RANK];
  int64_t total = 1;
  for (int i = rank - 1, s = 1; i >= 0; i--) { inStride[i] = s; s *= shape[i]; }
  for (int i = 0; i < rank; i++) { outShape[i] = shape[perm[i]]; srcStride[i] = inStride[perm[i]]; total *= shape[i]; }
  if (rank <= 1) { memcpy(y, x, (size_t)total * 4); return; }
  if (perm[rank - 1] == rank - 1) {
    /* Innermost axis stays innermost: copy contiguous runs. */
    const int64_t inner = shape[rank - 1];
    memset(idx, 0, sizeof idx);
    for (int64_t o = 0; o < total; o += inner) {
      int64_t src = 0;
      for (int i = 0; i < rank - 1; i++) src += idx[i] * srcStride[i];
      memcpy(y + o, x + src, (size_t)inner * 4);
      for (int i = rank - 2; i >= 0; i--) { if (++idx[i] < outShape[i]) break; idx[i] = 0; }
    }
    return;
  }
  if (rank == 2) { transpose2d(x, y, shape[0], shape[1]); return; }
  /* General: blocks of 2-D transposes when the last two output axes are the input's last two swapped. */
  if (perm[rank - 1] == rank - 2 && perm[rank - 2] == rank - 1) {
    const int64_t rows = shape[rank - 2], cols = shape[rank - 1], block = rows * cols;
    memset(idx, 0, sizeof idx);
    for (int64_t o = 0; o < total; o += block) {
      int64_t src = 0;
      for (int i = 0; i < rank - 2; i++) src += idx[i] * srcStride[i];
      transpose2d(x + src, y + o, rows, cols);
      for (int i = rank - 3; i >= 0; i--) { if (++idx[i] < outShape[i]) break; idx[i] = 0; }
    }
    return;
  }
  /* Anything else: output order, strided reads. */
  const int64_t last = outShape[rank - 1], lastStride = srcStride[rank - 1];
  memset(idx, 0, sizeof idx);
  for (int64_t o = 0; o < total; o += last) {
    int64_t src = 0;
    for (int i = 0; i < rank - 1; i++) src += idx[i] * srcStride[i];
    for (int64_t j = 0; j < last; j++) y[o + j] = x[src + j * lastStride];
    for (int i = rank - 2; i >= 0; i--) { if (++idx[i] < outShape[i]) break; idx[i] = 0; }
  }
}

/* Sums of a [rows, n] block: over the rows (leading != 0, out has n values) or over each row (out has rows
 * values). Accumulates in double, as the JavaScript kernel it replaces. */
CLONES void cw_sum(const float *restrict x, float *restrict out, int64_t rows, int64_t n, int leading) {
  if (leading) {
    enum { W = 256 };
    double acc[W];
    for (int64_t j0 = 0; j0 < n; j0 += W) {
      const int64_t w = n - j0 < W ? n - j0 : W;
      for (int64_t j = 0; j < w; j++) acc[j] = 0;
      for (int64_t i = 0; i < rows; i++) {
        const float *row = x + i * n + j0;
        for (int64_t j = 0; j < w; j++) acc[j] += row[j];
      }
      for (int64_t j = 0; j < w; j++) out[j0 + j] = (float)acc[j];
    }
  } else {
    for (int64_t i = 0; i < rows; i++) {
      const float *row = x + i * n;
      double s = 0;
      for (int64_t j = 0; j < n; j++) s += row[j];
      out[i] = (float)s;
    }
  }
}
