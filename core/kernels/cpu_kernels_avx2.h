#pragma once
// The AVX2 + FMA build of cpu_kernels (compiled with -mavx2 -mfma, on x86-64 only); reach it
// through cpu_kernels, which checks the CPU first.
#include "kernels/cpu_kernels.h"

#if SCORELAB_HAVE_AVX2_KERNELS
namespace scorelab::cpu_kernels::avx2 {

KernelSet kernels();
double sum_squares(const float* g, int64_t n);

}  // namespace scorelab::cpu_kernels::avx2
#endif
