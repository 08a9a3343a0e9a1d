#include "models/networks.h"

#include <torch/torch.h>

namespace scorelab {

torch::Tensor ScoreNetImpl::score(const torch::Tensor& x_t, const torch::Tensor& sigma,
                                  const torch::Tensor& alpha) {
  std::vector<int64_t> shape(static_cast<size_t>(x_t.dim()), 1);
  shape[0] = x_t.size(0);
  auto s = sigma.reshape(shape);
  return (denoise(x_t, sigma, alpha) - x_t) / (s * s);
}

}  // namespace scorelab
