#pragma once
// The AVX2 + FMA build of cpu_kernels (its own file, compiled with -mavx2 -mfma on x86-64
// only); call through cpu_kernels, which checks the CPU first.
#include "common/cpu_kernels.h"

#if SCORELAB_HAVE_AVX2_KERNELS
namespace scorelab::cpu_kernels::avx2 {

void bias_act(Act act, float leak, float* z, const float* bias, const float* extra, float* h,
              int64_t rows, int64_t cols);
void act_backward(Act act, float leak, const float* dh, const float* z, const float* h, float* dz,
                  float* colsum, int64_t rows, int64_t cols);

void fourier_embed(const float* u, int64_t rows, const float* freqs, int64_t f, float* emb);
double sum_squares(const float* g, int64_t n);
void adamw(float* p, float* g, float* m, float* v, int64_t n, const AdamWStep& s);

}  // namespace scorelab::cpu_kernels::avx2
#endif
