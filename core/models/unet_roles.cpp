#include "models/unet_roles.h"

#include <torch/torch.h>

namespace scorelab {

GeneratorUNetImpl::GeneratorUNetImpl(const UNetOptions& options, double sigma_max, const Rng& rng)
    : sigma_max_(sigma_max) {
  unet_ = register_module("unet", UNet(options, rng));
}

torch::Tensor GeneratorUNetImpl::generate_rows(const torch::Tensor& z) {
  auto sigma = torch::full({z.size(0), 1}, sigma_max_, z.options());
  return unet_->denoise(z * sigma_max_, sigma);
}

DiscriminatorUNetImpl::DiscriminatorUNetImpl(UNetOptions options, double fixed_sigma,
                                             const Rng& rng)
    : fixed_sigma_(fixed_sigma) {
  options.disc_head = true;
  options.alpha_conditioned = false;
  unet_ = register_module("unet", UNet(options, rng));
}

torch::Tensor DiscriminatorUNetImpl::discriminate(const torch::Tensor& x,
                                                  const torch::Tensor& sigma) {
  auto s = sigma.defined() ? sigma : torch::full({x.size(0), 1}, fixed_sigma_, x.options());
  return unet_->logit(x, s);
}

}  // namespace scorelab
