#include "methods/gan.h"

#include <torch/torch.h>

#include "common/error.h"
#include "common/rng.h"
#include "methods/network_factory.h"

namespace scorelab {

namespace {
constexpr uint64_t kDiscSeed = 800, kGenSeed = 900;
}  // namespace

GanMethod::GanMethod(const MethodContext& context)
    : ctx_(context),
      disc_(make_discriminator(context, false, kDiscSeed)),
      gen_(context, kGenSeed),
      disc_net_("disc", disc_, score_hyper(context.config.optim)) {}

torch::Tensor GanMethod::logit(const torch::Tensor& x) {
  return disc_->discriminate(x, {});
}

torch::Tensor GanMethod::disc_step(const torch::Tensor& fake, const torch::Tensor& real) {
  auto x_r = real.defined() ? real : ctx_.data->sample(ctx_.config.optim.batch, *ctx_.rng);
  const int64_t b = x_r.size(0);
  auto x_f = fake.defined() ? fake : gen_.draw(b);
  // Real and fake through the discriminator in one pass.
  auto d = disc_->discriminate(torch::cat({x_r, x_f}), {});
  auto loss = torch::softplus(-d.narrow(0, 0, b)).mean() +
              torch::softplus(d.narrow(0, b, x_f.size(0))).mean();
  disc_net_.zero_grad();
  loss.backward();
  disc_net_.step();
  return loss.detach();
}

torch::Tensor GanMethod::gen_step() {
  auto loss =
      torch::softplus(-disc_->discriminate(gen_.forward(generator_batch(ctx_.config.optim)), {}))
          .mean();
  gen_.step(loss);  // the discriminator's gradients are cleared before its next update
  return loss.detach();
}

void GanMethod::step(std::vector<torch::Tensor>& losses) {
  torch::Tensor disc;
  for (int64_t k = 0; k < ctx_.config.method.score_steps; ++k) disc = disc_step();
  losses = {disc, gen_step()};
}

void GanMethod::update_hyperparams(const Config& config) {
  ctx_.config = config;
  disc_net_.optimizer().set_hyper(score_hyper(config.optim));
  gen_.update_hyperparams(config);
}

torch::Tensor GanMethod::score(const std::string& which, const torch::Tensor&, double, double) {
  throw ConfigError("gan learns no score (asked for '" + which + "'); it only has a generator");
}

torch::Tensor GanMethod::generate(int64_t n, const Rng& rng) {
  return gen_.generate(n, rng);
}

}  // namespace scorelab
