#pragma once
// The three network roles every method is written against, so that one method trains on 2-D
// points (MLPs) and on images (a U-Net, a conv generator) alike. Inputs and outputs are rows
// [B, dim] (image networks reshape internally); σ and α hold one value per row, [B, 1].
#include <torch/nn/module.h>

#include <memory>

namespace scorelab {

// A denoiser D(x_t; σ, α) behind EDM's preconditioning, with Tweedie's score, the raw network
// (SMM's ε predictor) and an optional discriminator head.
class ScoreNetImpl : public torch::nn::Module {
 public:
  // alpha only for α-conditioned (SMT) models; pass an undefined tensor otherwise.
  virtual torch::Tensor denoise(const torch::Tensor& x_t, const torch::Tensor& sigma,
                                const torch::Tensor& alpha = {}) = 0;
  // F(c_in(σ)·x, c_noise(σ), α) without the denoiser's skip; x may have more inputs than the
  // data has (SMM's two-input variants).
  virtual torch::Tensor predict(const torch::Tensor& x, const torch::Tensor& sigma,
                                const torch::Tensor& alpha = {}) = 0;
  // The discriminator head ℓ(x_t; σ, α) [B, 1]; throws when the model has none.
  virtual torch::Tensor logit(const torch::Tensor& x_t, const torch::Tensor& sigma,
                              const torch::Tensor& alpha = {}) = 0;
  // Whether a hand-written forward/backward (models/fused_mlp.h) may serve calls, where the model
  // has one; off for double backward (SMM's R1 penalty), which that path does not support.
  virtual void allow_fused(bool) {}
  // Tweedie: s = (D − x_t)/σ².
  torch::Tensor score(const torch::Tensor& x_t, const torch::Tensor& sigma,
                      const torch::Tensor& alpha = {});
};
using ScoreNet = std::shared_ptr<ScoreNetImpl>;

// A one-step generator x = g(z): z [B, z_dim] → rows [B, dim].
class GeneratorNetImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor generate_rows(const torch::Tensor& z) = 0;
  // The denoiser D(x_t; σ) a generator g(z) = D(σ_max·z; σ_max) is built on (pretraining trains
  // it over all noise levels); null for generators that are not denoisers.
  virtual ScoreNetImpl* denoiser() { return nullptr; }
};
using GeneratorNet = std::shared_ptr<GeneratorNetImpl>;

// A classifier ℓ(x; σ) → [B, 1] logits (σ undefined for unconditioned ones).
class DiscriminatorNetImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor discriminate(const torch::Tensor& x, const torch::Tensor& sigma) = 0;
};
using DiscriminatorNet = std::shared_ptr<DiscriminatorNetImpl>;

}  // namespace scorelab
