#pragma once
// Seeded parameter initialisation: torch's own initialisers draw from the process-wide generator,
// which another thread may be using; scorelab's models draw from the owner's Rng instead.
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

namespace scorelab {

class Rng;

// PyTorch's default for Linear: weight and bias ~ U(−1/√fan_in, 1/√fan_in).
void init_linear(torch::nn::Linear& layer, const Rng& rng);
// The same for a 2-D convolution: fan_in = input channels × kernel area. scale multiplies the
// bound (0 zero-initialises, as for a residual branch's last layer).
void init_conv2d(torch::nn::Conv2d& layer, const Rng& rng, double scale = 1.0);

}  // namespace scorelab
