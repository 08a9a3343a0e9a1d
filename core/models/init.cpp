#include "models/init.h"

#include <torch/torch.h>

#include <cmath>

#include "common/rng.h"

namespace scorelab {

void init_linear(torch::nn::Linear& layer, const Rng& rng) {
  torch::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(static_cast<double>(layer->weight.size(1)));
  auto u = [&](const torch::Tensor& like) {
    return (rng.rand(like.sizes()) * 2 - 1).mul_(bound).to(like.device(), like.scalar_type());
  };
  layer->weight.copy_(u(layer->weight));
  if (layer->bias.defined()) layer->bias.copy_(u(layer->bias));
}

}  // namespace scorelab
