#include "methods/one_step_method.h"

#include <torch/torch.h>

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
      critic_loss_name_(std::move(critic_loss_name)) {}

std::vector<TrainableNetwork*> OneStepMethod::networks() {
  auto nets = other_networks();
  for (auto* c : critics()) nets.push_back(c);
  nets.push_back(&gen_.network());
  return nets;
}

torch::Tensor OneStepMethod::critic_update(const torch::Tensor& fake, const torch::Tensor& real,
                                           LossRow& row) {
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
  LossRow row(loss_names(), device());
  if (!phase_step(row)) {
    torch::Tensor critic;
    for (int64_t k = 0; k < ctx_.config.method.score_steps; ++k)
      critic = critic_update({}, {}, row);
    row.set(critic_loss_name_, critic);
    auto x = gen_.forward(generator_batch(ctx_.config.optim));
    gen_.step(generator_loss(x, row));
  }
  losses = row.take();
}

void OneStepMethod::update_hyperparams(const Config& config) {
  ctx_.config = config;
  for (auto* c : critics()) c->optimizer().set_hyper(score_hyper(config.optim));
  gen_.update_hyperparams(config);
  apply_hyperparams(config);
}

}  // namespace scorelab
