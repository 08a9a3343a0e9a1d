#pragma once
// The denoising losses' reduction, scale · Σ_i w_i · mean_k (pred_ik − target_ik)², as one
// autograd node. Written as libtorch ops it is ~6 ops forward and ~30 backward (scalar ops in
// libtorch 1.13 cost a type promotion and a copy each), which for 2-D data outweighs the
// arithmetic; on the CPU in float32 this is one pass each way. Elsewhere, or when the target or
// the weights need gradients, it is the plain expression under autograd.
#include <torch/types.h>

namespace scorelab {

// pred, target: [B, ...] of the same shape; weight: B values (any shape); a 0-dim result.
torch::Tensor weighted_row_mse(const torch::Tensor& pred, const torch::Tensor& target,
                               const torch::Tensor& weight, double scale);

}  // namespace scorelab
