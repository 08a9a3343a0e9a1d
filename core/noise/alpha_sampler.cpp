#include "noise/alpha_sampler.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "common/rng.h"
#include "config/choices.h"

namespace scorelab {

namespace {
// In the order of alpha_sampler_kinds().
AlphaSampler::Kind kind_of(const std::string& name) {
  const auto& kinds = alpha_sampler_kinds();
  const auto it = std::find(kinds.begin(), kinds.end(), name);
  if (it == kinds.end()) throw std::logic_error("unvalidated method.alpha_sampler " + name);
  return static_cast<AlphaSampler::Kind>(it - kinds.begin());
}

torch::Tensor column(const std::vector<double>& v, torch::Device device) {
  return torch::tensor(std::vector<float>(v.begin(), v.end()), torch::kFloat).to(device);
}
}  // namespace

AlphaSampler::AlphaSampler(const MethodConfig& c, torch::Device device)
    : config_(c), kind_(kind_of(c.alpha_sampler)), device_(device) {
  std::vector<double> positive;
  for (double a : c.alpha_fixed)
    if (a > 0) positive.push_back(a);
  if (kind_ == Kind::fixed) {
    fixed_ = column(c.alpha_fixed, device);
    fixed_positive_ = column(positive, device);
  }
  points_ = column({0.0, 0.5, 1.0}, device);
  points_positive_ = column({0.5, 1.0}, device);
}

torch::Tensor AlphaSampler::grid_draw(int64_t n, const Rng& rng, bool with_zero) const {
  const int64_t steps = config_.alpha_grid - 1;
  auto idx = with_zero ? rng.randint(steps + 1, {n, 1}) : rng.randint(steps, {n, 1});
  const int64_t shift = with_zero ? 0 : 1;
  if (idx.is_cpu() && idx.scalar_type() == torch::kLong && idx.is_contiguous()) {
    // One pass, not three libtorch ops: these run every training step.
    auto out = torch::empty({n, 1}, torch::kFloat);
    const int64_t* in = idx.data_ptr<int64_t>();
    float* a = out.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i)
      a[i] = static_cast<float>(in[i] + shift) / static_cast<float>(steps);
    return out;
  }
  return (idx + shift).to(torch::kFloat) / static_cast<float>(steps);
}

torch::Tensor AlphaSampler::pick(const torch::Tensor& values, int64_t n, const Rng& rng) const {
  return values.index_select(0, rng.randint(values.size(0), {n})).unsqueeze(1);
}

torch::Tensor AlphaSampler::beta_draw(int64_t n, const Rng& rng) const {
  // Made on the draw's device: a host-to-device copy would stop a CUDA graph's capture.
  const auto opts = torch::TensorOptions().dtype(torch::kFloat).device(rng.device());
  auto a = rng.gamma(torch::full({n, 1}, config_.alpha_beta_a, opts));
  auto b = rng.gamma(torch::full({n, 1}, config_.alpha_beta_b, opts));
  return a / (a + b).clamp_min(1e-30);
}

torch::Tensor AlphaSampler::force_zeros(torch::Tensor alpha, const Rng& rng) const {
  if (config_.alpha_zero_frac <= 0) return alpha;
  auto u = rng.rand(alpha.sizes());
  if (alpha.is_cpu() && alpha.scalar_type() == torch::kFloat && alpha.is_contiguous() &&
      u.is_cpu() && u.is_contiguous()) {
    auto out = torch::empty_like(alpha);
    const float frac = static_cast<float>(config_.alpha_zero_frac);
    const float *a = alpha.data_ptr<float>(), *r = u.data_ptr<float>();
    float* o = out.data_ptr<float>();
    for (int64_t i = 0; i < alpha.numel(); ++i) o[i] = r[i] < frac ? 0.0f : a[i];
    return out;
  }
  return alpha.masked_fill(u < config_.alpha_zero_frac, 0.0);
}

torch::Tensor AlphaSampler::score_alphas(int64_t n, const Rng& rng) const {
  switch (kind_) {
    case Kind::grid: return force_zeros(grid_draw(n, rng, true), rng);
    case Kind::fixed: return pick(fixed_, n, rng);
    case Kind::beta: return force_zeros(beta_draw(n, rng), rng);
    case Kind::pointmass: break;
  }
  auto use_point = rng.rand({n, 1}) < config_.alpha_point_prob;
  return torch::where(use_point, pick(points_, n, rng), grid_draw(n, rng, true));
}

torch::Tensor AlphaSampler::generator_alphas(int64_t n, const Rng& rng) const {
  switch (kind_) {
    case Kind::grid: return grid_draw(n, rng, false);
    case Kind::fixed: return pick(fixed_positive_, n, rng);
    case Kind::beta:
      return beta_draw(n, rng).clamp_min(1.0 / static_cast<double>(config_.alpha_grid - 1));
    case Kind::pointmass: break;
  }
  auto use_point = rng.rand({n, 1}) < config_.alpha_point_prob;
  return torch::where(use_point, pick(points_positive_, n, rng), grid_draw(n, rng, false));
}

}  // namespace scorelab
