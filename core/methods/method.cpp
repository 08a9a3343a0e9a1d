#include "methods/method.h"

#include <torch/torch.h>

#include <algorithm>

#include "common/error.h"
#include "methods/bf16_method.h"

namespace scorelab {

torch::Tensor Method::generate(int64_t, const Rng&) {
  throw ConfigError("method " + name() +
                    " has no one-step generator; use the annealed or "
                    "langevin sampler");
}

torch::Tensor Method::score(const std::string& which, const torch::Tensor& x, double sigma,
                            double alpha) {
  const auto models = score_models();
  if (std::find(models.begin(), models.end(), which) == models.end()) {
    std::string known;
    for (const auto& m : models) known += (known.empty() ? "" : ", ") + m;
    throw ConfigError(name() + " has no score model named '" + which + "' (" +
                      (known.empty() ? "it learns none" : known) + ")");
  }
  torch::NoGradGuard no_grad;
  ScoreQuery q;
  q.which = which;
  q.x = x.to(device(), torch::kFloat);
  q.sigma_column = torch::full({q.x.size(0), 1}, sigma, q.x.options());
  q.sigma = sigma;
  q.alpha = alpha;
  return score_of(q);
}

void Method::set_phase_timer(PhaseTimer* timer) {
  timer_ = timer;
  for (auto* net : networks()) net->set_phase_timer(timer);
}

std::unique_ptr<Method> make_method(const MethodContext& context) {
  auto method = method_traits(context.config.method.name).make(context);
  if (context.config.run.precision == "fp32") return method;
  if (!context.device.is_cuda()) {
    throw ConfigError("run.precision = \"bf16\" needs a CUDA device (this run is on " +
                      context.device.str() + "); use fp32");
  }
  return std::make_unique<Bf16Method>(std::move(method));
}

namespace {
AdamWHyper hyper(const Config& c, double lr, const std::string& decay, int64_t per_step) {
  const OptimConfig& o = c.optim;
  AdamWHyper h{lr, o.beta1, o.beta2, o.weight_decay, 1e-8, o.grad_clip};
  h.warmup = o.lr_warmup;
  h.cosine = decay == "cosine";
  h.decay_steps = o.lr_decay_steps > 0 ? o.lr_decay_steps : c.run.steps * per_step;
  return h;
}
}  // namespace

AdamWHyper score_hyper(const Config& c, int64_t updates_per_step) {
  return hyper(c, c.optim.lr_score, c.optim.lr_decay_score, updates_per_step);
}

AdamWHyper generator_hyper(const Config& c) {
  return hyper(c, c.optim.lr_gen, c.optim.lr_decay_gen, 1);
}

}  // namespace scorelab
