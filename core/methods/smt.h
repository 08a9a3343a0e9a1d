#pragma once
// Score-of-Mixture Training from scratch (SMT paper, Alg. 1). One α-conditioned denoiser
// D(x_t; σ, α) learns the score of the mixture α·p_σ + (1−α)·q_σ of noised real (p) and fake
// (q = generator) data; the generator follows (s_α − s_0), normalised by the adaptive weight of
// Eq. (9)-(10). Optional GAN regularizer on a discriminator head of the score network (Eq. 11),
// optional generator warm-up as a denoiser. K score updates per generator update.
#include "methods/mixture_pairs.h"
#include "methods/one_step_method.h"
#include "models/networks.h"
#include "noise/alpha_sampler.h"
#include "noise/sigma_schedules.h"

namespace scorelab {

// The generator direction of Eq. (10) from p_a = x − D(x_t; σ, a) for a ∈ {0, α, 1}, per sample
// (rows): adaptive: (p_α − p_0) / w with w = mean|p_1|·sqrt(mean((p_α − p_0)²) /
// (mean((p_1 − p_0)²) + 1e-6)); otherwise the DMD weight only: (p_α − p_0) / (α·mean|p_1|).
// dmd: w_DMD [B, 1] in place of mean|p_1| (see dmd_weight), when defined.
torch::Tensor smt_direction(const torch::Tensor& p0, const torch::Tensor& p_alpha,
                            const torch::Tensor& p1, const torch::Tensor& alpha, bool adaptive,
                            const torch::Tensor& dmd = {});

// The DMD normaliser of each row [B, 1] from p_1 = x − D_real(x_t) [B, D] and σ [B, 1]: kind
// "sample" = mean|p_1| of the row (DMD); "batch" = σ_b · mean over rows of mean|p_1| / σ, the
// mean taken by `whole_batch` when given (over every rank's rows in a data-parallel run).
torch::Tensor dmd_weight(
    const torch::Tensor& p1, const torch::Tensor& sigma, const std::string& kind,
    const std::function<torch::Tensor(const torch::Tensor&)>& whole_batch = {});

// ½·mean over rows and coordinates of (x − stopgrad(x − direction))²: its gradient with respect
// to x_b is direction_b / (B·dim).
torch::Tensor direction_loss(const torch::Tensor& x, const torch::Tensor& direction);

class SmtMethod : public OneStepMethod {
 public:
  explicit SmtMethod(const MethodContext& context);

  // Pieces, public for tests. The mixture score loss of real x_r and fake x_f (pairwise shared
  // σ and α, [B, 1]): mean_b λ(σ)·[α‖D(x_r + σε_r) − x_r‖² + (1−α)‖D(x_f + σε_f) − x_f‖²]/dim.
  torch::Tensor score_loss(const torch::Tensor& x_r, const torch::Tensor& x_f,
                           const PairNoise& noise, LossRow* row = nullptr);
  // The generator direction at clean generator samples x (no gradient), from x_t = x + σε.
  torch::Tensor generator_direction(const torch::Tensor& x, const torch::Tensor& x_t,
                                    const torch::Tensor& sigma, const torch::Tensor& alpha);
  ScoreNet& score_model() { return score_; }

 protected:
  std::vector<TrainableNetwork*> critics() override { return {&score_net_}; }
  torch::Tensor critic_loss(const torch::Tensor& x_real, const torch::Tensor& x_fake,
                            LossRow& row) override;
  torch::Tensor generator_loss(const torch::Tensor& x, LossRow& row) override;
  void apply_hyperparams(const Config& config) override;
  torch::Tensor score_of(const ScoreQuery& q) override;

 private:
  ScoreNet score_;
  TrainableNetwork score_net_;
  SigmaSampler sigmas_;
  AlphaSampler alphas_;
};

}  // namespace scorelab
