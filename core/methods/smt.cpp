#include "methods/smt.h"

#include <torch/torch.h>

#include "common/error.h"
#include "common/rng.h"
#include "methods/network_factory.h"

namespace scorelab {

namespace {
constexpr uint64_t kScoreSeed = 100, kGenSeed = 200;

torch::Tensor row_mean(const torch::Tensor& t) {
  return t.mean(1, /*keepdim=*/true);
}
}  // namespace

torch::Tensor smt_direction(const torch::Tensor& p0, const torch::Tensor& p_alpha,
                            const torch::Tensor& p1, const torch::Tensor& alpha, bool adaptive) {
  auto diff = p_alpha - p0;
  auto dmd = row_mean(p1.abs());
  torch::Tensor w;
  if (adaptive) {
    w = dmd * (row_mean(diff.square()) / (row_mean((p1 - p0).square()) + 1e-6)).sqrt();
  } else {
    w = alpha * dmd;
  }
  return diff / w.clamp_min(1e-12);
}

torch::Tensor direction_loss(const torch::Tensor& x, const torch::Tensor& direction) {
  auto target = (x - direction).detach();
  return 0.5 * (x - target).square().sum() / static_cast<double>(x.size(0));
}

SmtMethod::SmtMethod(const MethodContext& context)
    : ctx_(context),
      score_(make_score_net(context, {kScoreSeed, true, true})),
      gen_(context, kGenSeed),
      score_net_("score", score_, score_hyper(context.config.optim)),
      sigmas_(context.config.noise, context.device),
      alphas_(context.config.method, context.device) {
  if (context.config.method.warmup_steps > 0 && context.config.model.z_dim != context.data->dim()) {
    throw ConfigError(
        "method.warmup_steps needs model.z_dim = " + std::to_string(context.data->dim()) +
        " (the warm-up feeds noised data to the generator)");
  }
}

torch::Tensor SmtMethod::score_loss(const torch::Tensor& x_r, const torch::Tensor& x_f,
                                    const PairNoise& noise) {
  auto pairs = make_mixture_pairs(x_r, x_f, noise, ctx_.sigma_data);
  auto loss = pairs.loss(score_->denoise(pairs.x_t, pairs.sigma, pairs.alpha));
  const double mu = ctx_.config.method.gan_mu;
  if (mu > 0) {
    // Discriminator head at α = ½: real logits up, fake logits down, each weighted ½.
    auto logit = score_->logit(pairs.x_t, pairs.sigma, torch::full_like(pairs.alpha, 0.5));
    const int64_t b = pairs.pairs;
    auto disc = 0.5 * (torch::softplus(-logit.narrow(0, 0, b)).mean() +
                       torch::softplus(logit.narrow(0, b, b)).mean());
    loss = loss + mu * disc;
    last_disc_ = disc.detach();
  }
  return loss;
}

torch::Tensor SmtMethod::score_step(const torch::Tensor& fake) {
  const int64_t b = ctx_.config.optim.batch;
  const Rng& rng = *ctx_.rng;
  auto x_r = ctx_.data->sample(b, rng);
  auto x_f = fake.defined() ? fake : gen_.draw(b);
  auto loss = score_loss(x_r, x_f, draw_pair_noise(b, ctx_.data->dim(), sigmas_, alphas_, rng));
  score_net_.zero_grad();
  loss.backward();
  score_net_.step();
  return loss.detach();
}

torch::Tensor SmtMethod::generator_direction(const torch::Tensor& x, const torch::Tensor& x_t,
                                             const torch::Tensor& sigma,
                                             const torch::Tensor& alpha) {
  torch::NoGradGuard no_grad;
  const int64_t b = x.size(0);
  // The three evaluations a ∈ {0, α, 1} in one batch.
  auto a = torch::cat({torch::zeros_like(alpha), alpha, torch::ones_like(alpha)});
  auto den = score_->denoise(torch::cat({x_t, x_t, x_t}), torch::cat({sigma, sigma, sigma}), a);
  auto p = torch::cat({x, x, x}) - den;
  return smt_direction(p.narrow(0, 0, b), p.narrow(0, b, b), p.narrow(0, 2 * b, b), alpha,
                       ctx_.config.method.adaptive_weight);
}

torch::Tensor SmtMethod::gen_step(torch::Tensor& gan_loss) {
  const MethodConfig& m = ctx_.config.method;
  const int64_t b = generator_batch(ctx_.config.optim);
  const Rng& rng = *ctx_.rng;
  auto x = gen_.forward(b);
  auto sigma = sigmas_.sample(b, rng, m.gen_sigma_lo, m.gen_sigma_hi);
  auto alpha = alphas_.generator_alphas(b, rng);
  auto x_t = torch::addcmul(x.detach(), sigma, rng.randn(x.sizes()));
  auto loss = direction_loss(x, generator_direction(x.detach(), x_t, sigma, alpha));
  auto total = loss;
  if (m.gan_lambda > 0) {
    // Eq. (11) at α = ½ (log term 0): gradients flow through the score network into x only;
    // the score network's own gradients are cleared before its next update.
    auto logit = score_->logit(x + (x_t - x.detach()), sigma, torch::full_like(alpha, 0.5));
    gan_loss = torch::softplus(-logit).mean();
    total = total + m.gan_lambda * gan_loss;
  }
  gen_.step(total);
  return loss.detach();
}

torch::Tensor SmtMethod::warmup_step() {
  // The generator as an ordinary denoiser at σ_max: g(ε + x/σ_max) ≈ x, so it starts near the data.
  const int64_t b = ctx_.config.optim.batch;
  const Rng& rng = *ctx_.rng;
  auto x = ctx_.data->sample(b, rng);
  auto input = rng.randn(x.sizes()) + x / ctx_.config.noise.sigma_max;
  auto loss = (gen_.module()->generate_rows(input) - x).square().mean();
  gen_.step(loss);
  return loss.detach();
}

void SmtMethod::step(std::vector<torch::Tensor>& losses) {
  auto zero = torch::zeros({}, torch::TensorOptions().device(ctx_.device));
  // Warm-up runs before the first score update; counting from the networks' update counters
  // makes a resumed checkpoint continue where it stopped.
  if (score_net_.updates() == 0 && gen_.network().updates() < ctx_.config.method.warmup_steps) {
    losses = {zero, warmup_step(), zero, zero};
    return;
  }
  last_disc_ = zero;
  torch::Tensor score_loss;
  for (int64_t k = 0; k < ctx_.config.method.score_steps; ++k) score_loss = score_step();
  torch::Tensor gan = zero;
  auto gen = gen_step(gan);
  losses = {score_loss, gen, last_disc_, gan.detach()};
}

void SmtMethod::update_hyperparams(const Config& config) {
  ctx_.config = config;
  score_net_.optimizer().set_hyper(score_hyper(config.optim));
  gen_.update_hyperparams(config);
  sigmas_ = SigmaSampler(config.noise, ctx_.device);
  alphas_ = AlphaSampler(config.method, ctx_.device);
}

torch::Tensor SmtMethod::score(const std::string& which, const torch::Tensor& x, double sigma,
                               double alpha) {
  if (which != "score") throw ConfigError("smt has no score model named '" + which + "'");
  torch::NoGradGuard no_grad;
  auto xs = x.to(ctx_.device, torch::kFloat);
  auto s = torch::full({xs.size(0), 1}, sigma, xs.options());
  return score_->score(xs, s, torch::full_like(s, alpha));
}

torch::Tensor SmtMethod::generate(int64_t n, const Rng& rng) {
  return gen_.generate(n, rng);
}

}  // namespace scorelab
