#include "models/init.h"

#include <torch/torch.h>

#include <cmath>

#include "common/rng.h"

namespace scorelab {

namespace {

void init_uniform(torch::Tensor& weight, torch::Tensor& bias, double bound, const Rng& rng) {
  torch::NoGradGuard no_grad;
  auto u = [&](const torch::Tensor& like) {
    return (rng.rand(like.sizes()) * 2 - 1).mul_(bound).to(like.device(), like.scalar_type());
  };
  weight.copy_(u(weight));
  if (bias.defined()) bias.copy_(u(bias));
}

}  // namespace

void init_linear(torch::nn::Linear& layer, const Rng& rng) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(layer->weight.size(1)));
  init_uniform(layer->weight, layer->bias, bound, rng);
}

void init_conv2d(torch::nn::Conv2d& layer, const Rng& rng, double scale) {
  const auto& w = layer->weight;
  const double fan_in = static_cast<double>(w.size(1) * w.size(2) * w.size(3));
  init_uniform(layer->weight, layer->bias, scale / std::sqrt(fan_in), rng);
}

}  // namespace scorelab
