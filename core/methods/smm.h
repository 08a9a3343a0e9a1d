#pragma once
// Score Mismatching (SMM paper). A noise predictor S(·, t) on SMM's discrete β schedule
// (σ_t = sqrt(1 − ᾱ_t), T steps) matches real data and mismatches fake data:
//   score net:  ‖S(x + σ_t ε1) − ε1‖² + ‖S(G(z1) + σ_t ε2) − ε3‖²   (ε3 independent of ε2)
//   generator:  ‖S(G(z2) + σ_t ε4) − ε4‖² (+ the same with ε5: duplication, Eq. 21-22)
// with the generator's gradient flowing through the frozen S. Its optimum for a fixed generator
// is S*(y) = p_σ(y)·E_p[ε | y] / (p_σ(y) + q_σ(y)) (Proposition 1). Variants 2 (S(x, σε)
// predicts x + σε, Eq. 16-17) and 3 (S(x, x + σε) predicts ε, Eq. 18-19) feed S two inputs.
#include "methods/one_step_method.h"
#include "models/networks.h"

namespace scorelab {

class SmmMethod : public OneStepMethod {
 public:
  explicit SmmMethod(const MethodContext& context);

  // Variant 1 only: s(x_t) = −S(x_t, σ)/σ (variants 2 and 3 do not estimate a score of x_t).
  std::vector<std::string> score_models() const override;

  // Pieces, public for tests.
  // σ_t for t drawn uniformly from 1..T, [n, 1].
  torch::Tensor draw_sigmas(int64_t n) const;
  // S's prediction for clean x, noise σ·ε (the variant decides what S sees).
  torch::Tensor predict(const torch::Tensor& x, const torch::Tensor& sigma,
                        const torch::Tensor& eps);
  // What S is trained to output on real data (ε for variants 1 and 3, x + σε for variant 2).
  torch::Tensor target(const torch::Tensor& x, const torch::Tensor& sigma,
                       const torch::Tensor& eps);
  torch::Tensor score_loss(const torch::Tensor& x_r, const torch::Tensor& x_f);
  ScoreNet& network() { return net_; }

 protected:
  std::vector<TrainableNetwork*> critics() override { return {&score_net_}; }
  torch::Tensor critic_loss(const torch::Tensor& x_real, const torch::Tensor& x_fake,
                            LossRow& row) override;
  torch::Tensor generator_loss(const torch::Tensor& x, LossRow& row) override;
  void apply_hyperparams(const Config& config) override;
  torch::Tensor score_of(const ScoreQuery& q) override;

 private:
  ScoreNet net_;
  TrainableNetwork score_net_;
  torch::Tensor sigmas_;  // [T] float32 on the device, ascending
};

}  // namespace scorelab
