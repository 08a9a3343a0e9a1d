#include "methods/method.h"

#include "common/error.h"
#include "methods/bf16_method.h"
#include "methods/dsm.h"
#include "methods/gan.h"
#include "methods/smd.h"
#include "methods/smm.h"
#include "methods/smt.h"

namespace scorelab {

torch::Tensor Method::generate(int64_t, const Rng&) {
  throw ConfigError("method " + name() +
                    " has no one-step generator; use the annealed or "
                    "langevin sampler");
}

namespace {

std::unique_ptr<Method> make_float32_method(const MethodContext& context) {
  const std::string& name = context.config.method.name;
  if (name == "dsm") return std::make_unique<DsmMethod>(context);
  if (name == "smt") return std::make_unique<SmtMethod>(context);
  if (name == "smd") return std::make_unique<SmdMethod>(context);
  if (name == "smm") return std::make_unique<SmmMethod>(context);
  if (name == "gan") return std::make_unique<GanMethod>(context);
  throw ConfigError("method.name = \"" + name + "\" is not a known method");
}

}  // namespace

std::unique_ptr<Method> make_method(const MethodContext& context) {
  if (context.config.run.precision == "fp32") return make_float32_method(context);
  if (!context.device.is_cuda()) {
    throw ConfigError("run.precision = \"bf16\" needs a CUDA device (this run is on " +
                      context.device.str() + "); use fp32");
  }
  return std::make_unique<Bf16Method>(make_float32_method(context));
}

AdamWHyper score_hyper(const OptimConfig& c) {
  return {c.lr_score, c.beta1, c.beta2, c.weight_decay, 1e-8, c.grad_clip};
}

AdamWHyper generator_hyper(const OptimConfig& c) {
  return {c.lr_gen, c.beta1, c.beta2, c.weight_decay, 1e-8, c.grad_clip};
}

}  // namespace scorelab
