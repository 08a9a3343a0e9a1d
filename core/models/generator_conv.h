#pragma once
// The one-step generator for images: z → a linear map to a (size/4)² grid of 4·width channels,
// then two (nearest 2x upsampling, 3x3 convolution, GroupNorm, SiLU) stages down to `width`
// channels and a 3x3 convolution to the image. The output is left linear (no tanh): the score
// model's denoiser, not a squashing, keeps samples in range.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "models/networks.h"

namespace scorelab {

class Rng;

struct GeneratorConvOptions {
  int64_t z_dim = 64;
  int64_t channels = 1;  // image channels
  int64_t size = 32;     // image side, divisible by 4 (28 or 32)
  int64_t width = 32;    // channels of the last stage
};

class GeneratorConvImpl : public GeneratorNetImpl {
 public:
  GeneratorConvImpl(const GeneratorConvOptions& options, const Rng& rng);
  torch::Tensor forward(const torch::Tensor& z);  // [B, z_dim] → [B, C, size, size]
  torch::Tensor generate_rows(const torch::Tensor& z) override { return forward(z).flatten(1); }
  const GeneratorConvOptions& options() const { return options_; }

 private:
  GeneratorConvOptions options_;
  torch::nn::Linear input_{nullptr};
  torch::nn::GroupNorm norm0_{nullptr};
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::GroupNorm> norms_;
  torch::nn::Conv2d output_{nullptr};
};
TORCH_MODULE(GeneratorConv);

}  // namespace scorelab
