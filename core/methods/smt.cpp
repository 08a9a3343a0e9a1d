#include "methods/smt.h"

#include <torch/torch.h>

#include "common/phase_timer.h"
#include "common/rng.h"
#include "data/dataset.h"
#include "methods/network_factory.h"
#include "models/eval_mode_scope.h"

namespace scorelab {

namespace {
constexpr uint64_t kSmtScoreSeed = 100, kSmtGenSeed = 200;
}  // namespace

torch::Tensor smt_direction(const torch::Tensor& p0, const torch::Tensor& p_alpha,
                            const torch::Tensor& p1, const torch::Tensor& alpha, bool adaptive,
                            const torch::Tensor& dmd_given) {
  auto diff = p_alpha - p0;
  auto dmd = dmd_given.defined() ? dmd_given : row_mean(p1.abs());
  torch::Tensor w;
  if (adaptive) {
    w = dmd * (row_mean(diff.square()) / (row_mean((p1 - p0).square()) + 1e-6)).sqrt();
  } else {
    w = alpha * dmd;
  }
  return diff / w.clamp_min(1e-12);
}

torch::Tensor dmd_weight(const torch::Tensor& p1, const torch::Tensor& sigma,
                         const std::string& kind,
                         const std::function<torch::Tensor(const torch::Tensor&)>& whole_batch) {
  auto per_row = row_mean(p1.abs());
  if (kind == "sample") return per_row;
  auto mean = (per_row / sigma).mean();
  return sigma * (whole_batch ? whole_batch(mean) : mean);
}

torch::Tensor direction_loss(const torch::Tensor& x, const torch::Tensor& direction) {
  // A mean over coordinates too, as the released code takes it: the GAN weights λ and μ are
  // relative to this scale, and the gradient clip keeps its meaning at any data dimension.
  auto target = (x - direction).detach();
  return 0.5 * (x - target).square().mean();
}

SmtMethod::SmtMethod(const MethodContext& context)
    : OneStepMethod(context, kSmtGenSeed, "score"),
      score_(make_score_net(context, {kSmtScoreSeed, true, true})),
      score_net_("score", score_, score_hyper(context.config, context.config.method.score_steps)),
      sigmas_(context.config.noise, context.device),
      alphas_(context.config.method, context.device) {}

torch::Tensor SmtMethod::score_loss(const torch::Tensor& x_r, const torch::Tensor& x_f,
                                    const PairNoise& noise, LossRow* row) {
  auto pairs = make_mixture_pairs(x_r, x_f, noise, context().sigma_data);
  auto loss = pairs.loss(score_->denoise(pairs.x_t, pairs.sigma, pairs.alpha));
  const double mu = config().method.gan_mu;
  if (mu > 0) {
    // Discriminator head at α = ½: real logits up, fake logits down, each weighted ½.
    auto logit = score_->logit(pairs.x_t, pairs.sigma, torch::full_like(pairs.alpha, 0.5));
    const int64_t b = pairs.pairs;
    auto disc = 0.5 * (torch::softplus(-logit.narrow(0, 0, b)).mean() +
                       torch::softplus(logit.narrow(0, b, b)).mean());
    loss = loss + mu * disc;
    if (row) row->set("disc", disc);
  }
  return loss;
}

torch::Tensor SmtMethod::critic_loss(const torch::Tensor& x_r, const torch::Tensor& x_f,
                                     LossRow& row) {
  const auto noise = draw_pair_noise(x_r.size(0), x_r.size(1), sigmas_, alphas_, rng());
  return score_loss(x_r, x_f, noise, &row);
}

torch::Tensor SmtMethod::generator_direction(const torch::Tensor& x, const torch::Tensor& x_t,
                                             const torch::Tensor& sigma,
                                             const torch::Tensor& alpha) {
  PhaseScope timed(timer(), "direction");
  torch::NoGradGuard no_grad;
  EvalModeScope deterministic(*score_, !config().method.direction_dropout);
  const int64_t b = x.size(0);
  // The three evaluations a ∈ {0, α, 1} in one batch.
  auto a = torch::cat({torch::zeros_like(alpha), alpha, torch::ones_like(alpha)});
  auto den = score_->denoise(torch::cat({x_t, x_t, x_t}), torch::cat({sigma, sigma, sigma}), a);
  auto p = torch::cat({x, x, x}) - den;
  auto p1 = p.narrow(0, 2 * b, b);
  return smt_direction(p.narrow(0, 0, b), p.narrow(0, b, b), p1, alpha,
                       config().method.adaptive_weight,
                       dmd_weight(p1, sigma, config().method.dmd_weight,
                                  [this](const torch::Tensor& m) { return whole_batch_mean(m); }));
}

torch::Tensor SmtMethod::generator_loss(const torch::Tensor& x, LossRow& row) {
  const MethodConfig& m = config().method;
  const int64_t b = x.size(0);
  auto sigma = sigmas_.sample(b, rng(), m.gen_sigma_lo, m.gen_sigma_hi);
  auto alpha = alphas_.generator_alphas(b, rng());
  auto x_t = torch::addcmul(x.detach(), sigma, rng().randn(x.sizes()));
  auto loss = direction_loss(x, generator_direction(x.detach(), x_t, sigma, alpha));
  row.set("gen", loss);
  if (m.gan_lambda <= 0) return loss;
  // Eq. (11) at α = ½ (log term 0): gradients flow through the score network into x only.
  PhaseScope timed(timer(), "gan");
  auto logit = score_->logit(x + (x_t - x.detach()), sigma, torch::full_like(alpha, 0.5));
  auto gan_loss = torch::softplus(-logit).mean();
  row.set("gen_gan", gan_loss);
  return loss + m.gan_lambda * gan_loss;
}

void SmtMethod::apply_hyperparams(const Config& config) {
  sigmas_ = SigmaSampler(config.noise, device());
  alphas_ = AlphaSampler(config.method, device());
}

torch::Tensor SmtMethod::score_of(const ScoreQuery& q) {
  return score_->score(q.x, q.sigma_column, torch::full_like(q.sigma_column, q.alpha));
}

}  // namespace scorelab
