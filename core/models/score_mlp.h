#pragma once
// The toy score model: an MLP F behind EDM's denoiser preconditioning,
//   D(x_t; σ, α) = c_skip(σ)·x_t + c_out(σ)·F(c_in(σ)·x_t, c_noise(σ), α),
// conditioned through c = silu(W_σ·fourier(ln σ / 4) [+ W_α·fourier(α − ½)]) added to the first
// layer's pre-activation. The score follows by Tweedie: s = (D − x_t)/σ².
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "models/fourier_embedding.h"
#include "models/fused_mlp.h"
#include "models/networks.h"

namespace scorelab {

class Rng;

struct ScoreMLPOptions {
  int64_t dim = 2;                   // data dimension (the output's)
  int64_t in_dim = 0;                // input dimension of predict(); 0 = dim
  int64_t hidden = 128;              // width of every hidden layer
  int64_t layers = 3;                // hidden layers
  int64_t fourier_features = 16;     // σ (and α) embedding frequencies
  double sigma_fourier_scale = 2.0;  // σ embedding frequency std
  double sigma_data = 1.0;           // EDM σ_data
  bool alpha_conditioned = false;    // SMT: also condition on α
  double alpha_fourier_scale = 16;   // the SMT paper's α embedding scale
  bool disc_head = false;            // a linear discriminator head on the last hidden features
  bool fused = true;                 // the hand-written forward/backward (models/fused_mlp.h)
};

class ScoreMLPImpl : public ScoreNetImpl {
 public:
  ScoreMLPImpl(const ScoreMLPOptions& options, const Rng& rng);

  // Denoised estimate D(x_t; σ, α). x_t [B, D]; sigma [B, 1]; alpha [B, 1] (only when
  // alpha_conditioned; pass an undefined tensor otherwise).
  torch::Tensor denoise(const torch::Tensor& x_t, const torch::Tensor& sigma,
                        const torch::Tensor& alpha = {}) override;

  // The raw network F(c_in(σ)·x, c_noise(σ), α) without the denoiser's skip (SMM's ε
  // predictor); x [B, in_dim].
  torch::Tensor predict(const torch::Tensor& x, const torch::Tensor& sigma,
                        const torch::Tensor& alpha = {}) override;
  // The discriminator head on the features of x_t (needs disc_head): ℓ(x_t; σ, α) [B, 1].
  torch::Tensor logit(const torch::Tensor& x_t, const torch::Tensor& sigma,
                      const torch::Tensor& alpha = {}) override;

  const ScoreMLPOptions& options() const { return options_; }
  void allow_fused(bool allow) override { fused_allowed_ = allow; }

 private:
  // Whether a call takes the fused path (throws, as the ordinary path does, for a missing α).
  bool use_fused(const torch::Tensor& x, const torch::Tensor& sigma,
                 const torch::Tensor& alpha) const;
  // The fused path's description of a call; head: the discriminator head as the last layer.
  FusedMlpCall fused_call(bool head, bool denoise) const;
  torch::Tensor features(const torch::Tensor& x_in, const torch::Tensor& c_noise,
                         const torch::Tensor& alpha);
  torch::Tensor raw(const torch::Tensor& x_in, const torch::Tensor& c_noise,
                    const torch::Tensor& alpha);
  ScoreMLPOptions options_;
  FourierEmbedding sigma_embed_{nullptr}, alpha_embed_{nullptr};
  torch::nn::Linear sigma_proj_{nullptr}, alpha_proj_{nullptr}, input_{nullptr}, output_{nullptr},
      head_{nullptr};
  std::vector<torch::nn::Linear> hidden_;
  FusedMlp fused_;
  bool fused_allowed_ = true;
};
TORCH_MODULE(ScoreMLP);

}  // namespace scorelab
