#pragma once
// The one-step generator for 2D data: x = g(z), an MLP with leaky ReLU (the SMT toy experiments:
// slope 0.2, 2 hidden layers of 128).
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "models/fourier_embedding.h"
#include "models/fused_mlp.h"
#include "models/networks.h"

namespace scorelab {

class Rng;

struct GeneratorMLPOptions {
  int64_t z_dim = 2;
  int64_t dim = 2;
  int64_t hidden = 128;
  int64_t layers = 2;
  double leak = 0.2;  // negative slope of the leaky ReLU; 0 = ReLU
  bool fused = true;  // the hand-written forward/backward (models/fused_mlp.h)
};

class GeneratorMLPImpl : public GeneratorNetImpl {
 public:
  GeneratorMLPImpl(const GeneratorMLPOptions& options, const Rng& rng);
  torch::Tensor forward(const torch::Tensor& z);  // [B, z_dim] → [B, dim]
  torch::Tensor generate_rows(const torch::Tensor& z) override { return forward(z); }
  const GeneratorMLPOptions& options() const { return options_; }

 private:
  GeneratorMLPOptions options_;
  std::vector<torch::nn::Linear> layers_;
  FusedMlp fused_;
};
TORCH_MODULE(GeneratorMLP);

// A plain MLP classifier x [B, D] → logit [B, 1] with leaky ReLU, optionally conditioned on σ
// through Fourier features of ln σ / 4 added to the first layer (SMD's ℓ(x_t; σ)); inputs are
// scaled by 1/sqrt(σ² + σ_d²) when conditioned, like the score model's.
struct DiscriminatorMLPOptions {
  int64_t dim = 2;
  int64_t hidden = 128;
  int64_t layers = 3;
  bool sigma_conditioned = false;
  int64_t fourier_features = 16;
  double sigma_fourier_scale = 2.0;
  double sigma_data = 1.0;
  bool fused = true;
};

class DiscriminatorMLPImpl : public DiscriminatorNetImpl {
 public:
  DiscriminatorMLPImpl(const DiscriminatorMLPOptions& options, const Rng& rng);
  // sigma [B, 1] when sigma_conditioned, else undefined.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& sigma = {});
  torch::Tensor discriminate(const torch::Tensor& x, const torch::Tensor& sigma) override {
    return forward(x, sigma);
  }

 private:
  DiscriminatorMLPOptions options_;
  FourierEmbedding sigma_embed_{nullptr};
  torch::nn::Linear sigma_proj_{nullptr};
  std::vector<torch::nn::Linear> layers_;
  FusedMlp fused_;
};
TORCH_MODULE(DiscriminatorMLP);

}  // namespace scorelab
