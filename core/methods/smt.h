#pragma once
// Score-of-Mixture Training from scratch (SMT paper, Alg. 1). One α-conditioned denoiser
// D(x_t; σ, α) learns the score of the mixture α·p_σ + (1−α)·q_σ of noised real (p) and fake
// (q = generator) data; the generator follows (s_α − s_0), normalised by the adaptive weight of
// Eq. (9)-(10). Optional GAN regularizer on a discriminator head of the score network (Eq. 11),
// optional generator warm-up as a denoiser. K score updates per generator update.
#include "data/dataset.h"
#include "methods/method.h"
#include "methods/mixture_pairs.h"
#include "methods/one_step_generator.h"
#include "models/networks.h"
#include "noise/alpha_sampler.h"
#include "noise/sigma_schedules.h"

namespace scorelab {

// The generator direction of Eq. (10) from p_a = x − D(x_t; σ, a) for a ∈ {0, α, 1}, per sample
// (rows): adaptive: (p_α − p_0) / w with w = mean|p_1|·sqrt(mean((p_α − p_0)²) /
// (mean((p_1 − p_0)²) + 1e-6)); otherwise the DMD weight only: (p_α − p_0) / (α·mean|p_1|).
torch::Tensor smt_direction(const torch::Tensor& p0, const torch::Tensor& p_alpha,
                            const torch::Tensor& p1, const torch::Tensor& alpha, bool adaptive);

// ½·mean_b ‖x − stopgrad(x − direction)‖²: its gradient with respect to x_b is direction_b / B.
torch::Tensor direction_loss(const torch::Tensor& x, const torch::Tensor& direction);

class SmtMethod : public Method {
 public:
  explicit SmtMethod(const MethodContext& context);

  std::string name() const override { return "smt"; }
  std::vector<std::string> loss_names() const override {
    return {"score", "gen", "disc", "gen_gan"};
  }
  void step(std::vector<torch::Tensor>& losses) override;
  std::vector<TrainableNetwork*> networks() override { return {&score_net_, &gen_.network()}; }
  void update_hyperparams(const Config& config) override;
  std::vector<std::string> score_models() const override { return {"score"}; }
  torch::Tensor score(const std::string& which, const torch::Tensor& x, double sigma,
                      double alpha) override;
  bool has_generator() const override { return true; }
  torch::Tensor generate(int64_t n, const Rng& rng) override;

  // Pieces, public for tests. The mixture score loss of real x_r and fake x_f (pairwise shared
  // σ and α, [B, 1]): mean_b λ(σ)·[α‖D(x_r + σε_r) − x_r‖² + (1−α)‖D(x_f + σε_f) − x_f‖²]/dim.
  torch::Tensor score_loss(const torch::Tensor& x_r, const torch::Tensor& x_f,
                           const PairNoise& noise);
  // The generator direction at clean generator samples x (no gradient), from x_t = x + σε.
  torch::Tensor generator_direction(const torch::Tensor& x, const torch::Tensor& x_t,
                                    const torch::Tensor& sigma, const torch::Tensor& alpha);
  // One score update with fakes drawn from `fake` (the live generator when empty).
  torch::Tensor score_step(const torch::Tensor& fake = {});
  ScoreNet& score_model() { return score_; }
  GeneratorNet& generator() { return gen_.module(); }

 private:
  torch::Tensor gen_step(torch::Tensor& gan_loss);
  torch::Tensor warmup_step();

  MethodContext ctx_;
  ScoreNet score_;
  OneStepGenerator gen_;
  TrainableNetwork score_net_;
  SigmaSampler sigmas_;
  AlphaSampler alphas_;
  torch::Tensor last_disc_;  // the latest discriminator loss (GAN regularizer on)
};

}  // namespace scorelab
