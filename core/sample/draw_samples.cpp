#include "sample/draw_samples.h"

#include <torch/torch.h>

#include <chrono>

#include "common/error.h"
#include "methods/method.h"
#include "sample/langevin_sampler.h"

namespace scorelab {

void check_sampler(const Method& method, const std::string& sampler) {
  if (sampler == "onestep") {
    if (!method.has_generator()) {
      throw ConfigError("sampler onestep needs a method with a generator; " + method.name() +
                        " has none (use annealed or langevin)");
    }
    return;
  }
  if (sampler != "annealed" && sampler != "langevin") {
    throw ConfigError("sampler \"" + sampler + "\" is not one of onestep, annealed, langevin");
  }
}

SampleResult draw_samples(Method& method, const SamplerConfig& config, const std::string& sampler,
                          int64_t n, int64_t dim, uint64_t seed, torch::Device device) {
  check_sampler(method, sampler);
  torch::NoGradGuard no_grad;
  const auto t0 = std::chrono::steady_clock::now();
  SampleResult r;
  if (sampler == "onestep") {
    r.samples = method.generate(n).to(torch::kCPU);
    r.nfe = 1;
  } else {
    const bool annealed = sampler == "annealed";
    LangevinSampler s(learned_score(method), langevin_options(config, annealed), n, dim, seed, device);
    s.run();
    r.samples = s.result().to(torch::kCPU);
    r.nfe = s.nfe();
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace scorelab
