#pragma once
// The SMT paper's generator on 2-D points: a denoiser of the score model's architecture (an
// EDM-preconditioned MLP without α) used as g(z) = D(σ_max·z; σ_max). Pretrained as an ordinary
// denoiser over all noise levels, it starts with features that already separate the data's modes.
#include "models/networks.h"

namespace scorelab {

class GeneratorDenoiserImpl : public GeneratorNetImpl {
 public:
  // net: a score network without α conditioning; z rows have the data's dimension.
  GeneratorDenoiserImpl(ScoreNet net, double sigma_max);
  torch::Tensor generate_rows(const torch::Tensor& z) override;
  ScoreNetImpl* denoiser() override { return net_.get(); }

 private:
  ScoreNet net_;
  double sigma_max_;
};
TORCH_MODULE(GeneratorDenoiser);

}  // namespace scorelab
