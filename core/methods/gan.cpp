#include "methods/gan.h"

#include <torch/torch.h>

#include "methods/network_factory.h"

namespace scorelab {

namespace {
constexpr uint64_t kGanDiscSeed = 800, kGanGenSeed = 900;
}  // namespace

GanMethod::GanMethod(const MethodContext& context)
    : OneStepMethod(context, kGanGenSeed, "disc"),
      disc_(make_discriminator(context, false, kGanDiscSeed)),
      disc_net_("disc", disc_, score_hyper(context.config, context.config.method.score_steps)) {}

torch::Tensor GanMethod::logit(const torch::Tensor& x) {
  return disc_->discriminate(x, {});
}

torch::Tensor GanMethod::critic_loss(const torch::Tensor& x_r, const torch::Tensor& x_f, LossRow&) {
  const int64_t b = x_r.size(0);
  // Real and fake through the discriminator in one pass.
  auto d = disc_->discriminate(torch::cat({x_r, x_f}), {});
  return torch::softplus(-d.narrow(0, 0, b)).mean() +
         torch::softplus(d.narrow(0, b, x_f.size(0))).mean();
}

torch::Tensor GanMethod::generator_loss(const torch::Tensor& x, LossRow& row) {
  auto loss = torch::softplus(-disc_->discriminate(x, {})).mean();
  row.set("gen", loss);
  return loss;
}

torch::Tensor GanMethod::score_of(const ScoreQuery&) {
  throw std::logic_error("gan has no score model");  // Method::score refuses first
}

}  // namespace scorelab
