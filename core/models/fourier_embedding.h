#pragma once
// Fourier features of a scalar u: [cos(2π u W), sin(2π u W)] with fixed W ~ N(0, scale²).
// W is a buffer (saved in checkpoints, never trained).
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace scorelab {

class Rng;

class FourierEmbeddingImpl : public torch::nn::Module {
 public:
  FourierEmbeddingImpl(int64_t frequencies, double scale, const Rng& rng);
  // u [B, 1] → [B, 2·frequencies]
  torch::Tensor forward(const torch::Tensor& u);
  int64_t out_features() const { return 2 * freqs_.size(1); }
  const torch::Tensor& freqs() const { return freqs_; }

 private:
  torch::Tensor freqs_;  // [1, F], already multiplied by 2π
};
TORCH_MODULE(FourierEmbedding);

}  // namespace scorelab
