#pragma once
// Score-of-Mixture Distillation (SMT paper §4, Alg. 2). A teacher DSM model s_p (handed in by the
// caller from a scorelab checkpoint, or trained first in the same run) is distilled into a
// one-step generator. A fake score s_fake (initialised from the teacher) and a discriminator
// ℓ(x_t; σ) define the mixture score explicitly: D = sigmoid(ℓ + log(α/(1−α))),
// s_exp = D·s_p + (1 − D)·s_fake; both are trained by the mixture score loss (Eq. 14), whose
// minimiser has s_fake = s_q and ℓ = log p_σ/q_σ. The generator follows D·(s_fake − s_p)/α
// (Eq. 15) with the DMD weight, plus the GAN regularizer of Eq. (11) on ℓ.
#include <functional>

#include "methods/mixture_pairs.h"
#include "methods/one_step_method.h"
#include "models/networks.h"
#include "noise/alpha_sampler.h"
#include "noise/sigma_schedules.h"

namespace scorelab {

class SmdMethod : public OneStepMethod {
 public:
  // A teacher denoiser D_p(x_t; σ) (σ [B, 1]).
  using Denoiser = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>;

  // Throws CheckpointError for a context's teacher of another score-model shape.
  explicit SmdMethod(const MethodContext& context);

  // Pieces, public for tests.
  bool teacher_ready() const;
  std::string phase() const override;
  // Replaces the teacher by any denoiser (an exact one in tests) and marks it ready.
  void set_teacher(Denoiser teacher);
  torch::Tensor log_ratio(const torch::Tensor& x_t, const torch::Tensor& sigma);  // ℓ, [B, 1]
  // Eq. (14) on real x_r and fake x_f with pairwise shared σ, α [B, 1].
  torch::Tensor mixture_loss(const torch::Tensor& x_r, const torch::Tensor& x_f,
                             const PairNoise& noise);
  // Eq. (15) with the DMD weight σ²/mean|x − D_p|: D·(D_fake − D_p)/(α·mean|x − D_p|).
  torch::Tensor generator_direction(const torch::Tensor& x, const torch::Tensor& x_t,
                                    const torch::Tensor& sigma, const torch::Tensor& alpha);
  ScoreNet& fake_model() { return fake_; }

 protected:
  std::vector<TrainableNetwork*> other_networks() override { return {&teacher_net_}; }
  std::vector<TrainableNetwork*> critics() override { return {&fake_net_, &disc_net_}; }
  torch::Tensor critic_loss(const torch::Tensor& x_real, const torch::Tensor& x_fake,
                            LossRow& row) override;
  torch::Tensor generator_loss(const torch::Tensor& x, LossRow& row) override;
  bool phase_step(LossRow& row) override;
  std::string phase_kind() const override;
  void apply_hyperparams(const Config& config) override;
  torch::Tensor score_of(const ScoreQuery& q) override;

 private:
  torch::Tensor teacher_denoise(const torch::Tensor& x_t, const torch::Tensor& sigma);
  // sigmoid(ℓ + log(α/(1−α))): the weight of s_p in the mixture.
  torch::Tensor real_weight(const torch::Tensor& x_t, const torch::Tensor& sigma,
                            const torch::Tensor& alpha);

  ScoreNet teacher_, teacher_ema_, fake_;
  DiscriminatorNet disc_;
  TrainableNetwork teacher_net_, fake_net_, disc_net_;
  SigmaSampler sigmas_;
  AlphaSampler alphas_;
  Denoiser external_teacher_;
  bool teacher_loaded_ = false;
  bool fake_initialised_ = false;
};

}  // namespace scorelab
