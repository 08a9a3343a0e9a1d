#include "methods/dsm.h"

#include <torch/torch.h>

#include "common/phase_timer.h"
#include "common/rng.h"
#include "methods/network_factory.h"
#include "methods/weighted_mse.h"

namespace scorelab {

DsmMethod::DsmMethod(const MethodContext& context)
    : Method(method_traits("dsm"), context.device),
      ctx_(context),
      model_(make_score_net(context, {})),
      ema_model_(make_score_net(context, {})),
      net_("score", model_, score_hyper(context.config)),
      sigmas_(context.config.noise, context.device) {
  net_.attach_ema(ema_model_, context.config.optim.ema);
}

torch::Tensor dsm_loss(ScoreNetImpl& model, const torch::Tensor& x, const torch::Tensor& sigma,
                       const torch::Tensor& eps, double sigma_data) {
  auto x_t = x + sigma * eps;
  auto d = model.denoise(x_t, sigma);
  auto weight = (sigma * sigma).reciprocal() + 1.0 / (sigma_data * sigma_data);
  return weighted_row_mse(d, x, weight, 1.0 / static_cast<double>(x.size(0)));
}

torch::Tensor DsmMethod::loss(const torch::Tensor& x, const torch::Tensor& sigma,
                              const torch::Tensor& eps) {
  return dsm_loss(*model_, x, sigma, eps, ctx_.sigma_data);
}

void DsmMethod::step(std::vector<torch::Tensor>& losses) {
  PhaseScope timed(timer(), "critic");
  const int64_t b = ctx_.config.optim.batch;
  const Rng& rng = *ctx_.rng;
  auto x = ctx_.data->sample(b, rng);
  auto sigma = sigmas_.sample(b, rng);
  auto l = loss(x, sigma, rng.randn({b, ctx_.data->dim()}));
  net_.zero_grad();
  l.backward();
  net_.step();
  losses.assign(1, l.detach());
}

void DsmMethod::update_hyperparams(const Config& config) {
  ctx_.config = config;
  net_.optimizer().set_hyper(score_hyper(config));
  net_.set_ema_decay(config.optim.ema);
  sigmas_ = SigmaSampler(config.noise, ctx_.device);
}

torch::Tensor DsmMethod::score_of(const ScoreQuery& q) {
  return ema_model_->score(q.x, q.sigma_column);
}

}  // namespace scorelab
