#pragma once
// Score-of-Mixture Distillation (SMT paper §4, Alg. 2). A teacher DSM model s_p (loaded from a
// scorelab checkpoint, or trained first in the same run) is distilled into a one-step generator.
// A fake score s_fake (initialised from the teacher) and a discriminator ℓ(x_t; σ) define the
// mixture score explicitly: D = sigmoid(ℓ + log(α/(1−α))), s_exp = D·s_p + (1 − D)·s_fake; both
// are trained by the mixture score loss (Eq. 14), whose minimiser has s_fake = s_q and
// ℓ = log p_σ/q_σ. The generator follows D·(s_fake − s_p)/α (Eq. 15) with the DMD weight, plus
// the GAN regularizer of Eq. (11) on ℓ.
#include <functional>

#include "data/dataset.h"
#include "methods/method.h"
#include "methods/mixture_pairs.h"
#include "methods/one_step_generator.h"
#include "models/networks.h"
#include "noise/alpha_sampler.h"
#include "noise/sigma_schedules.h"

namespace scorelab {

class SmdMethod : public Method {
 public:
  // A teacher denoiser D_p(x_t; σ) (σ [B, 1]).
  using Denoiser = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>;

  // Throws ConfigError / CheckpointError for a teacher checkpoint that is missing, of another
  // data set or of another score-model shape.
  explicit SmdMethod(const MethodContext& context);

  std::string name() const override { return "smd"; }
  std::vector<std::string> loss_names() const override {
    return {"teacher", "score", "gen", "gen_gan"};
  }
  void step(std::vector<torch::Tensor>& losses) override;
  std::vector<TrainableNetwork*> networks() override {
    return {&teacher_net_, &fake_net_, &disc_net_, &gen_.network()};
  }
  void update_hyperparams(const Config& config) override;
  // teacher (s_p), fake (s_fake), mixture (s_exp at α).
  std::vector<std::string> score_models() const override { return {"teacher", "fake", "mixture"}; }
  std::string data_score_model() const override { return "teacher"; }
  torch::Tensor score(const std::string& which, const torch::Tensor& x, double sigma,
                      double alpha) override;
  bool has_generator() const override { return true; }
  torch::Tensor generate(int64_t n, const Rng& rng) override;

  // Pieces, public for tests.
  bool teacher_ready() const;
  // Replaces the teacher by any denoiser (an exact one in tests) and marks it ready.
  void set_teacher(Denoiser teacher);
  torch::Tensor log_ratio(const torch::Tensor& x_t, const torch::Tensor& sigma);  // ℓ, [B, 1]
  // Eq. (14) on real x_r and fake x_f with pairwise shared σ, α [B, 1].
  torch::Tensor mixture_loss(const torch::Tensor& x_r, const torch::Tensor& x_f,
                             const PairNoise& noise);
  // One update of s_fake and ℓ with fakes from `fake` (the live generator when empty).
  torch::Tensor score_step(const torch::Tensor& fake = {});
  // Eq. (15) with the DMD weight σ²/mean|x − D_p|: D·(D_fake − D_p)/(α·mean|x − D_p|).
  torch::Tensor generator_direction(const torch::Tensor& x, const torch::Tensor& x_t,
                                    const torch::Tensor& sigma, const torch::Tensor& alpha);
  ScoreNet& fake_model() { return fake_; }

 private:
  void load_teacher(const std::string& path);
  torch::Tensor teacher_step();
  torch::Tensor gen_step(torch::Tensor& gan_loss);
  torch::Tensor teacher_denoise(const torch::Tensor& x_t, const torch::Tensor& sigma);

  MethodContext ctx_;
  ScoreNet teacher_, teacher_ema_, fake_;
  DiscriminatorNet disc_;
  OneStepGenerator gen_;
  TrainableNetwork teacher_net_, fake_net_, disc_net_;
  SigmaSampler sigmas_;
  AlphaSampler alphas_;
  Denoiser external_teacher_;
  bool teacher_loaded_ = false;
  bool fake_initialised_ = false;
};

}  // namespace scorelab
