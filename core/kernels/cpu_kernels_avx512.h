#pragma once
// The AVX-512F build of cpu_kernels (compiled with -mavx512f, on x86-64 only); reach it
// through cpu_kernels, which checks the CPU first.
#include "kernels/cpu_kernels.h"

#if SCORELAB_HAVE_AVX2_KERNELS
namespace scorelab::cpu_kernels::avx512 {

KernelSet kernels();

}  // namespace scorelab::cpu_kernels::avx512
#endif
