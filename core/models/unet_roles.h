#pragma once
// The U-Net in the two other roles the image methods need: a one-step generator fed σ_max·z
// (the papers' choice: g(z) = D(σ_max·z; σ_max), which a denoiser warm-up starts near the data)
// and a discriminator reading the bottleneck head (SMD's ℓ(x_t; σ), the GAN baseline's ℓ(x)).
#include "models/networks.h"
#include "models/unet.h"

namespace scorelab {

class GeneratorUNetImpl : public GeneratorNetImpl {
 public:
  GeneratorUNetImpl(const UNetOptions& options, double sigma_max, const Rng& rng);
  // z rows [B, C·size²] (z_dim equals the data dimension).
  torch::Tensor generate_rows(const torch::Tensor& z) override;
  ScoreNetImpl* denoiser() override { return unet_.get(); }

 private:
  UNet unet_{nullptr};
  double sigma_max_;
};
TORCH_MODULE(GeneratorUNet);

class DiscriminatorUNetImpl : public DiscriminatorNetImpl {
 public:
  // options.disc_head is forced on; unconditioned use reads the head at σ = fixed_sigma.
  DiscriminatorUNetImpl(UNetOptions options, double fixed_sigma, const Rng& rng);
  torch::Tensor discriminate(const torch::Tensor& x, const torch::Tensor& sigma) override;

 private:
  UNet unet_{nullptr};
  double fixed_sigma_;
};
TORCH_MODULE(DiscriminatorUNet);

}  // namespace scorelab
