#include "methods/smm.h"

#include <torch/torch.h>

#include "common/rng.h"
#include "data/dataset.h"
#include "methods/network_factory.h"
#include "noise/sigma_schedules.h"

namespace scorelab {

namespace {
constexpr uint64_t kSmmScoreSeed = 600, kSmmGenSeed = 700;

torch::Tensor schedule(const MethodConfig& m, torch::Device device) {
  const auto s = smm_sigmas(m.smm_steps, m.smm_beta_min, m.smm_beta_max);
  return torch::tensor(std::vector<float>(s.begin(), s.end())).to(device);
}

// Mean over samples of the squared error summed over dimensions, divided by the dimension.
torch::Tensor mse(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).square().mean();
}
}  // namespace

SmmMethod::SmmMethod(const MethodContext& context)
    : OneStepMethod(context, kSmmGenSeed, "score"),
      net_(make_score_net(context,
                          {kSmmScoreSeed, false, false,
                           context.config.method.smm_variant == 1 ? 0 : 2 * context.data->dim()})),
      score_net_("score", net_, score_hyper(context.config, context.config.method.score_steps)),
      sigmas_(schedule(context.config.method, context.device)) {}

torch::Tensor SmmMethod::draw_sigmas(int64_t n) const {
  return sigmas_.index_select(0, rng().randint(sigmas_.size(0), {n})).unsqueeze(1);
}

torch::Tensor SmmMethod::predict(const torch::Tensor& x, const torch::Tensor& sigma,
                                 const torch::Tensor& eps) {
  switch (config().method.smm_variant) {
    case 1: return net_->predict(x + sigma * eps, sigma);
    case 2: return net_->predict(torch::cat({x, sigma * eps}, 1), sigma);
    default: return net_->predict(torch::cat({x, x + sigma * eps}, 1), sigma);
  }
}

torch::Tensor SmmMethod::target(const torch::Tensor& x, const torch::Tensor& sigma,
                                const torch::Tensor& eps) {
  return config().method.smm_variant == 2 ? x + sigma * eps : eps;
}

torch::Tensor SmmMethod::score_loss(const torch::Tensor& x_r, const torch::Tensor& x_f) {
  const int64_t b = x_r.size(0);
  // Real and fake in one pass; the fake target uses an independent ε3 (the mismatch).
  auto x = torch::cat({x_r, x_f});
  auto sigma = draw_sigmas(2 * b);
  auto eps = rng().randn(x.sizes());
  auto eps_target = torch::cat({eps.narrow(0, 0, b), rng().randn(x_f.sizes())});
  const bool r1 = config().method.smm_r1 > 0;
  net_->allow_fused(!r1);  // R1 differentiates a gradient: the ordinary path does that
  torch::Tensor x_in = x;
  if (r1) x_in = x.detach().requires_grad_(true);
  auto out = predict(x_in, sigma, eps);
  // Variant 2's target x + σε3 keeps the fake's clean part: only the noise is mismatched.
  auto loss = 2 * mse(out, target(x, sigma, eps_target));
  if (r1) {
    // R1: γ/2·E‖∇_x Σ S(x + σε)‖² on the real half.
    auto g = torch::autograd::grad({out.narrow(0, 0, b).sum()}, {x_in}, {}, true, true)[0];
    loss = loss + 0.5 * config().method.smm_r1 * g.narrow(0, 0, b).square().sum(1).mean();
  }
  return loss;
}

torch::Tensor SmmMethod::critic_loss(const torch::Tensor& x_r, const torch::Tensor& x_f, LossRow&) {
  return score_loss(x_r, x_f);
}

torch::Tensor SmmMethod::generator_loss(const torch::Tensor& x_gen, LossRow& row) {
  const int64_t b = x_gen.size(0);
  // Duplication: the same fakes under a second, independent noise draw, in the same pass.
  auto x = config().method.smm_duplicate ? torch::cat({x_gen, x_gen}) : x_gen;
  auto sigma = draw_sigmas(x.size(0));
  auto eps = rng().randn(x.sizes());
  auto loss = mse(predict(x, sigma, eps), target(x, sigma, eps)) * (x.size(0) / b);
  row.set("gen", loss);
  return loss;
}

void SmmMethod::apply_hyperparams(const Config& config) {
  sigmas_ = schedule(config.method, device());
}

std::vector<std::string> SmmMethod::score_models() const {
  if (config().method.smm_variant == 1) return {"score"};
  return {};
}

torch::Tensor SmmMethod::score_of(const ScoreQuery& q) {
  return -net_->predict(q.x, q.sigma_column) / q.sigma;
}

}  // namespace scorelab
