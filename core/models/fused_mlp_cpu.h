#pragma once
// The fused MLP's CPU float32 implementation over raw buffers: GEMMs straight into BLAS
// (kernels/cpu_gemm.h), every element-wise pass one of the hand-vectorised kernels or a plain
// loop, so a call costs no libtorch op beyond allocating its output. Internal to models/; the
// libtorch implementation in fused_mlp.cpp serves everything else (float64, CUDA, no AVX2).
#include <torch/types.h>

#include "models/fused_mlp.h"
#include "models/fused_mlp_workspace.h"

namespace scorelab::fused_detail {

// Whether this path serves the call: float32 on the CPU with the kernels, every operand
// contiguous (parameters, their gradients, x, σ, α).
bool cpu_raw_supported(const FusedMlpCall& c, const Tensor& x, const Tensor& sigma,
                       const Tensor& alpha);

// As run_forward / run_backward in fused_mlp.cpp: the output (activations kept in w); the
// parameters' gradients accumulated and, when want_dx, the gradient of x returned.
Tensor cpu_forward(const FusedMlpCall& c, const Tensor& x, const Tensor& sigma, const Tensor& alpha,
                   Workspace& w);
Tensor cpu_backward(const FusedMlpCall& c, const Tensor& x, const Tensor& g, Workspace& w,
                    bool want_dx);

}  // namespace scorelab::fused_detail
