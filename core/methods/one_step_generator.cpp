#include "methods/one_step_generator.h"

#include <torch/torch.h>

#include "common/rng.h"
#include "methods/network_factory.h"

namespace scorelab {

OneStepGenerator::OneStepGenerator(const MethodContext& context, uint64_t seed_offset)
    : rng_(context.rng),
      z_dim_(context.config.model.z_dim),
      gen_(make_generator(context, seed_offset)),
      ema_(make_generator(context, seed_offset)),
      net_("gen", gen_, generator_hyper(context.config)) {
  net_.attach_ema(ema_, context.config.optim.ema_gen);
}

torch::Tensor OneStepGenerator::forward(int64_t n) {
  last_batch_ = n;
  return gen_->generate_rows(rng_->randn({n, z_dim_}));
}

torch::Tensor OneStepGenerator::draw(int64_t n) {
  torch::NoGradGuard no_grad;
  return forward(n);
}

torch::Tensor OneStepGenerator::generate(int64_t n, const Rng& rng) {
  torch::NoGradGuard no_grad;
  return ema_->generate_rows(rng.randn({n, z_dim_}));
}

void OneStepGenerator::step(const torch::Tensor& loss) {
  net_.zero_grad();
  loss.backward();
  net_.step();
}

void OneStepGenerator::update_hyperparams(const Config& config) {
  net_.optimizer().set_hyper(generator_hyper(config));
  net_.set_ema_decay(config.optim.ema_gen);
}

}  // namespace scorelab
