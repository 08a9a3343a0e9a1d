#include "models/generator_denoiser.h"

#include <torch/torch.h>

namespace scorelab {

GeneratorDenoiserImpl::GeneratorDenoiserImpl(ScoreNet net, double sigma_max)
    : net_(register_module("net", std::move(net))), sigma_max_(sigma_max) {}

torch::Tensor GeneratorDenoiserImpl::generate_rows(const torch::Tensor& z) {
  auto sigma = torch::full({z.size(0), 1}, sigma_max_, z.options());
  return net_->denoise(z * sigma_max_, sigma);
}

}  // namespace scorelab
