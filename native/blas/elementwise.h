#ifndef CLIPWB_ELEMENTWISE_H
#define CLIPWB_ELEMENTWISE_H
#include <stdint.h>
#define CW_MAX_RANK 8
void cw_exp(const float *x, float *y, int64_t n);
void cw_erf(const float *x, float *y, int64_t n);
void cw_sum(const float *x, float *out, int64_t rows, int64_t n, int leading);
void cw_transpose(const uint32_t *x, uint32_t *y, const int64_t *shape, const int32_t *perm, int rank);
#endif
