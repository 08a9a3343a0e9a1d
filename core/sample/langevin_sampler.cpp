#include "sample/langevin_sampler.h"

#include <torch/torch.h>

#include <cmath>

#include "noise/sigma_schedules.h"

namespace scorelab {

LangevinOptions langevin_options(const SamplerConfig& c, bool annealed) {
  LangevinOptions o;
  static_cast<SamplerConfig&>(o) = c;
  o.annealed = annealed;
  return o;
}

LangevinSampler::LangevinSampler(ScoreFn score, const LangevinOptions& options, int64_t n,
                                 int64_t dim, uint64_t seed, torch::Device device)
    : score_(std::move(score)), options_(options), rng_(seed, device) {
  if (options_.annealed) {
    sigmas_ = geometric_sigmas(options_.levels, options_.sigma_max, options_.sigma_min);
  } else {
    sigmas_.assign(options_.levels, options_.sigma_min);
  }
  if (options_.init == "uniform") {
    x_ = (rng_.rand({n, dim}) * 2 - 1) * options_.init_box;
  } else {
    x_ = rng_.randn({n, dim}) * options_.sigma_max;
  }
}

int64_t LangevinSampler::level() const {
  return std::min(step_ / options_.steps_per_level, options_.levels - 1);
}

double LangevinSampler::sigma() const {
  return sigmas_[level()];
}

double LangevinSampler::step_size() const {
  const double s = sigma();
  return options_.eps * (s * s) / (options_.sigma_min * options_.sigma_min);
}

void LangevinSampler::step() {
  if (done()) return;
  torch::NoGradGuard no_grad;
  const double a = step_size();
  auto s = score_(x_, sigma());
  x_ = x_ + (0.5 * a) * s + std::sqrt(a) * rng_.randn(x_.sizes());
  ++step_;
  ++nfe_;
}

void LangevinSampler::run(const std::function<void()>& between_steps) {
  while (!done()) {
    if (between_steps) between_steps();
    step();
  }
}

torch::Tensor LangevinSampler::result() {
  if (!options_.denoise_last) return x_;
  torch::NoGradGuard no_grad;
  const double s = sigmas_.back();
  ++nfe_;
  return x_ + (s * s) * score_(x_, s);
}

torch::Tensor run_langevin(const ScoreFn& score, const SamplerConfig& config, bool annealed,
                           int64_t n, int64_t dim, uint64_t seed, torch::Device device) {
  LangevinSampler sampler(score, langevin_options(config, annealed), n, dim, seed, device);
  sampler.run();
  return sampler.result();
}

}  // namespace scorelab
