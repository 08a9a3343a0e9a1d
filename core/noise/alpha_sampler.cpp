#include "noise/alpha_sampler.h"

#include <torch/torch.h>

#include "common/error.h"
#include "common/rng.h"

namespace scorelab {

namespace {
torch::Tensor column(const std::vector<double>& v, torch::Device device) {
  return torch::tensor(std::vector<float>(v.begin(), v.end()), torch::kFloat).to(device);
}
}  // namespace

AlphaSampler::AlphaSampler(const MethodConfig& c, torch::Device device)
    : config_(c), device_(device) {
  std::vector<double> positive;
  for (double a : c.alpha_fixed)
    if (a > 0) positive.push_back(a);
  if (c.alpha_sampler == "fixed") {
    if (c.alpha_fixed.empty()) throw ConfigError("method.alpha_fixed is empty");
    if (positive.empty()) {
      throw ConfigError("method.alpha_fixed has no value above 0; the generator update needs one");
    }
    fixed_ = column(c.alpha_fixed, device);
    fixed_positive_ = column(positive, device);
  }
  points_ = column({0.0, 0.5, 1.0}, device);
  points_positive_ = column({0.5, 1.0}, device);
}

torch::Tensor AlphaSampler::grid_draw(int64_t n, const Rng& rng, bool with_zero) const {
  const int64_t steps = config_.alpha_grid - 1;
  auto idx = with_zero ? rng.randint(steps + 1, {n, 1}) : rng.randint(steps, {n, 1}) + 1;
  return idx.to(torch::kFloat) / static_cast<float>(steps);
}

torch::Tensor AlphaSampler::pick(const torch::Tensor& values, int64_t n, const Rng& rng) const {
  return values.index_select(0, rng.randint(values.size(0), {n})).unsqueeze(1);
}

torch::Tensor AlphaSampler::beta_draw(int64_t n, const Rng& rng) const {
  auto a = rng.gamma(torch::full({n, 1}, config_.alpha_beta_a, torch::kFloat));
  auto b = rng.gamma(torch::full({n, 1}, config_.alpha_beta_b, torch::kFloat));
  return a / (a + b).clamp_min(1e-30);
}

torch::Tensor AlphaSampler::force_zeros(torch::Tensor alpha, const Rng& rng) const {
  if (config_.alpha_zero_frac <= 0) return alpha;
  auto zero = rng.rand(alpha.sizes()) < config_.alpha_zero_frac;
  return alpha.masked_fill(zero, 0.0);
}

torch::Tensor AlphaSampler::score_alphas(int64_t n, const Rng& rng) const {
  const std::string& kind = config_.alpha_sampler;
  if (kind == "grid") return force_zeros(grid_draw(n, rng, true), rng);
  if (kind == "fixed") return pick(fixed_, n, rng);
  if (kind == "beta") return force_zeros(beta_draw(n, rng), rng);
  if (kind == "pointmass") {
    auto use_point = rng.rand({n, 1}) < config_.alpha_point_prob;
    return torch::where(use_point, pick(points_, n, rng), grid_draw(n, rng, true));
  }
  throw ConfigError("method.alpha_sampler = \"" + kind + "\" is not one of grid, pointmass, " +
                    "fixed, beta");
}

torch::Tensor AlphaSampler::generator_alphas(int64_t n, const Rng& rng) const {
  const std::string& kind = config_.alpha_sampler;
  if (kind == "grid") return grid_draw(n, rng, false);
  if (kind == "fixed") return pick(fixed_positive_, n, rng);
  if (kind == "beta") {
    return beta_draw(n, rng).clamp_min(1.0 / static_cast<double>(config_.alpha_grid - 1));
  }
  if (kind == "pointmass") {
    auto use_point = rng.rand({n, 1}) < config_.alpha_point_prob;
    return torch::where(use_point, pick(points_positive_, n, rng), grid_draw(n, rng, false));
  }
  throw ConfigError("method.alpha_sampler = \"" + kind + "\" is not one of grid, pointmass, " +
                    "fixed, beta");
}

}  // namespace scorelab
