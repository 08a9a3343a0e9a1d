#include "models/generator_conv.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

#include "common/rng.h"
#include "models/init.h"
#include "models/unet.h"

namespace scorelab {

namespace F = torch::nn::functional;

GeneratorConvImpl::GeneratorConvImpl(const GeneratorConvOptions& o, const Rng& rng) : options_(o) {
  if (o.size % 4 != 0 || o.size < 8) {
    throw std::invalid_argument("GeneratorConv: image size must be a multiple of 4, got " +
                                std::to_string(o.size));
  }
  const int64_t s0 = o.size / 4, c0 = 4 * o.width;
  input_ = register_module("input", torch::nn::Linear(o.z_dim, c0 * s0 * s0));
  init_linear(input_, rng);
  norm0_ = register_module("norm0",
                           torch::nn::GroupNorm(torch::nn::GroupNormOptions(norm_groups(c0), c0)));
  int64_t ch = c0;
  for (int stage = 0; stage < 2; ++stage) {
    const int64_t out = ch / 2;
    torch::nn::Conv2d c(torch::nn::Conv2dOptions(ch, out, 3).padding(1));
    init_conv2d(c, rng);
    convs_.push_back(register_module("conv" + std::to_string(stage), c));
    norms_.push_back(
        register_module("norm" + std::to_string(stage + 1),
                        torch::nn::GroupNorm(torch::nn::GroupNormOptions(norm_groups(out), out))));
    ch = out;
  }
  output_ = register_module(
      "output", torch::nn::Conv2d(torch::nn::Conv2dOptions(ch, o.channels, 3).padding(1)));
  init_conv2d(output_, rng);
}

torch::Tensor GeneratorConvImpl::forward(const torch::Tensor& z) {
  const int64_t s0 = options_.size / 4;
  auto h = input_->forward(z).view({z.size(0), 4 * options_.width, s0, s0});
  h = torch::silu(norm0_->forward(h));
  for (size_t i = 0; i < convs_.size(); ++i) {
    h = F::interpolate(h, F::InterpolateFuncOptions()
                              .scale_factor(std::vector<double>{2.0, 2.0})
                              .mode(torch::kNearest));
    h = torch::silu(norms_[i]->forward(convs_[i]->forward(h)));
  }
  return output_->forward(h);
}

}  // namespace scorelab
