#include "methods/one_step_method.h"

#include <torch/torch.h>

#include "common/error.h"
#include "common/phase_timer.h"
#include "common/rng.h"
#include "data/dataset.h"

namespace scorelab {

LossRow::LossRow(const std::vector<std::string>& names, torch::Device device) : names_(names) {
  values_.assign(names.size(), torch::zeros({}, torch::TensorOptions().device(device)));
}

void LossRow::set(const std::string& name, const torch::Tensor& value) {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) {
      values_[i] = value.detach();
      return;
    }
  }
  throw std::logic_error("loss '" + name + "' is not among the method's loss names");
}

OneStepMethod::OneStepMethod(const MethodContext& context, uint64_t generator_seed,
                             std::string critic_loss_name)
    : Method(method_traits(context.config.method.name), context.device),
      ctx_(context),
      gen_(context, generator_seed),
      critic_loss_name_(std::move(critic_loss_name)),
      pretrain_sigmas_(context.config.noise, context.device) {
  if (context.config.method.pretrain_steps > 0 && !gen_.module()->denoiser() &&
      context.config.model.z_dim != context.data->dim()) {
    throw ConfigError("method.pretrain_steps with a " + context.config.model.generator +
                      " generator needs model.z_dim = " + std::to_string(context.data->dim()) +
                      " (it learns g(eps + x/sigma_max) = x); or use a denoiser / unet generator");
  }
}

bool OneStepMethod::pretrain_step(LossRow& row) {
  // Counted from the update counters, so a resumed checkpoint continues where it stopped; once a
  // critic has been trained, pretraining is over for good (a live increase does not restart it).
  pretraining_ = false;
  if (!will_pretrain()) return false;
  set_phase(timer(), "pretraining");
  PhaseScope timed(timer(), "generator");
  auto x = ctx_.data->sample(ctx_.config.optim.batch, *ctx_.rng);
  torch::Tensor loss;
  if (ScoreNetImpl* denoiser = gen_.module()->denoiser()) {
    // Alg. 1's pretraining: an ordinary denoiser over all noise levels, EDM's weight λ(σ).
    auto sigma = pretrain_sigmas_.sample(x.size(0), *ctx_.rng);
    auto x_t = torch::addcmul(x, sigma, ctx_.rng->randn(x.sizes()));
    auto weight = sigma.square().reciprocal() + 1.0 / (ctx_.sigma_data * ctx_.sigma_data);
    loss = (weight * (denoiser->denoise(x_t, sigma) - x).square().mean(1, true)).mean();
  } else {
    // A generator without a σ input can only learn to denoise at σ_max: g(ε + x/σ_max) ≈ x.
    auto input = ctx_.rng->randn(x.sizes()) + x / ctx_.config.noise.sigma_max;
    loss = (gen_.module()->generate_rows(input) - x).square().mean();
  }
  gen_.step(loss);
  row.set("gen", loss);
  pretraining_ = true;
  return true;
}

std::string OneStepMethod::phase() const {
  if (!pretraining_) return {};
  return "pretraining the generator: step " + std::to_string(gen_.updates()) + "/" +
         std::to_string(ctx_.config.method.pretrain_steps);
}

std::vector<TrainableNetwork*> OneStepMethod::networks() {
  auto nets = other_networks();
  for (auto* c : critics()) nets.push_back(c);
  nets.push_back(&gen_.network());
  return nets;
}

torch::Tensor OneStepMethod::critic_update(const torch::Tensor& fake, const torch::Tensor& real,
                                           LossRow& row) {
  PhaseScope timed(timer(), "critic");
  auto x_r = real.defined() ? real : ctx_.data->sample(ctx_.config.optim.batch, *ctx_.rng);
  auto x_f = fake.defined() ? fake : gen_.draw(x_r.size(0));
  auto loss = critic_loss(x_r, x_f, row);
  const auto nets = critics();
  for (auto* c : nets) c->zero_grad();
  loss.backward();
  for (auto* c : nets) c->step();
  return loss.detach();
}

torch::Tensor OneStepMethod::critic_step(const torch::Tensor& fake, const torch::Tensor& real) {
  LossRow scratch(loss_names(), device());
  return critic_update(fake, real, scratch);
}

void OneStepMethod::step(std::vector<torch::Tensor>& losses) {
  PhaseScope whole(timer(), "other");
  LossRow row(loss_names(), device());
  if (!pretrain_step(row) && !phase_step(row)) {
    set_phase(timer(), "main");
    torch::Tensor critic;
    for (int64_t k = 0; k < ctx_.config.method.score_steps; ++k)
      critic = critic_update({}, {}, row);
    row.set(critic_loss_name_, critic);
    PhaseScope timed(timer(), "generator");
    auto x = gen_.forward(generator_batch(ctx_.config.optim));
    gen_.step(generator_loss(x, row));
  }
  losses = row.take();
}

bool OneStepMethod::will_pretrain() {
  if (gen_.network().updates() >= ctx_.config.method.pretrain_steps) return false;
  for (auto* c : critics())
    if (c->updates() > 0) return false;
  return true;
}

std::string OneStepMethod::step_kind() {
  if (will_pretrain()) return "pretrain";
  const std::string own = phase_kind();
  return own.empty() ? "main" : own;
}

void OneStepMethod::update_hyperparams(const Config& config) {
  ctx_.config = config;
  for (auto* c : critics())
    c->optimizer().set_hyper(score_hyper(config, config.method.score_steps));
  gen_.update_hyperparams(config);
  pretrain_sigmas_ = SigmaSampler(config.noise, device());
  apply_hyperparams(config);
}

}  // namespace scorelab
