#pragma once
// Seeded parameter initialisation: torch's own initialisers draw from the process-wide generator,
// which another thread may be using; scorelab's models draw from the owner's Rng instead.
#include <torch/nn/modules/linear.h>

namespace scorelab {

class Rng;

// PyTorch's default for Linear: weight and bias ~ U(−1/√fan_in, 1/√fan_in).
void init_linear(torch::nn::Linear& layer, const Rng& rng);

}  // namespace scorelab
