#include "noise/sigma_schedules.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "common/rng.h"

namespace scorelab {

std::vector<double> karras_sigmas(int64_t n, double sigma_min, double sigma_max, double rho) {
  std::vector<double> s(n);
  const double a = std::pow(sigma_min, 1 / rho), b = std::pow(sigma_max, 1 / rho);
  for (int64_t i = 0; i < n; ++i) {
    const double t = n == 1 ? 0.0 : static_cast<double>(i) / (n - 1);
    s[i] = std::pow(a + t * (b - a), rho);
  }
  return s;
}

std::vector<double> geometric_sigmas(int64_t n, double sigma_max, double sigma_min) {
  std::vector<double> s(n);
  for (int64_t i = 0; i < n; ++i) {
    const double t = n == 1 ? 0.0 : static_cast<double>(i) / (n - 1);
    s[i] = std::exp(std::log(sigma_max) + t * (std::log(sigma_min) - std::log(sigma_max)));
  }
  return s;
}

std::vector<double> smm_sigmas(int64_t steps, double beta_min, double beta_max) {
  std::vector<double> s(steps);
  double alpha_bar = 1;
  for (int64_t t = 0; t < steps; ++t) {
    const double beta = steps == 1
                            ? beta_min
                            : beta_min + (beta_max - beta_min) * t / static_cast<double>(steps - 1);
    alpha_bar *= 1 - beta;
    s[t] = std::sqrt(1 - alpha_bar);
  }
  return s;
}

SigmaSampler::SigmaSampler(const NoiseConfig& config, torch::Device device) : config_(config) {
  std::vector<double> levels;
  if (config.schedule == "karras") {
    levels = karras_sigmas(config.levels, config.sigma_min, config.sigma_max, config.rho);
  } else if (config.schedule == "geometric") {
    levels = geometric_sigmas(config.levels, config.sigma_max, config.sigma_min);
    std::reverse(levels.begin(), levels.end());
  }
  if (!levels.empty()) {
    grid_ = torch::tensor(levels, torch::TensorOptions().dtype(torch::kDouble))
                .to(device, torch::kFloat);
  }
}

torch::Tensor SigmaSampler::sample(int64_t n, const Rng& rng, double lo_frac,
                                   double hi_frac) const {
  if (grid_.defined()) {
    const int64_t levels = grid_.size(0);
    const int64_t lo =
        std::clamp<int64_t>(static_cast<int64_t>(std::ceil(lo_frac * (levels - 1))), 0, levels - 1);
    const int64_t hi = std::clamp<int64_t>(static_cast<int64_t>(std::floor(hi_frac * (levels - 1))),
                                           lo, levels - 1);
    auto idx = rng.randint(hi - lo + 1, {n}) + lo;
    return grid_.index_select(0, idx).unsqueeze(1);
  }
  auto log_sigma = config_.lognormal_mean + config_.lognormal_std * rng.randn({n, 1});
  return log_sigma.exp().clamp(config_.sigma_min, config_.sigma_max);
}

}  // namespace scorelab
