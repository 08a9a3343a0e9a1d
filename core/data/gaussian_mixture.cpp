#include "data/gaussian_mixture.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "common/rng.h"

namespace scorelab {

namespace {
// Rows per chunk so that an [n, K] float64 block stays near 32 MB.
int64_t chunk_rows(int64_t k) {
  return std::max<int64_t>(1, (int64_t{4} << 20) / std::max<int64_t>(k, 1));
}
}  // namespace

GaussianMixture::GaussianMixture(torch::Tensor weights, torch::Tensor means,
                                 torch::Tensor variances)
    : weights_(weights.to(torch::kDouble).flatten()),
      means_(means.to(torch::kDouble)),
      variances_(variances.to(torch::kDouble).flatten().to(means.device())) {
  if (means_.dim() != 2) throw std::invalid_argument("GaussianMixture: means must be [K, D]");
  const int64_t k = means_.size(0);
  if (weights_.size(0) != k || variances_.size(0) != k) {
    throw std::invalid_argument("GaussianMixture: weights, means and variances disagree on K");
  }
  if (k == 0) throw std::invalid_argument("GaussianMixture: no components");
  if ((weights_ < 0).any().item<bool>() || (variances_ < 0).any().item<bool>()) {
    throw std::invalid_argument("GaussianMixture: negative weight or variance");
  }
  weights_ = (weights_ / weights_.sum()).to(means_.device());
  log_weights_ = weights_.log();
  mean_sq_ = means_.pow(2).sum(1);
}

GaussianMixture GaussianMixture::from_samples(const torch::Tensor& samples) {
  const int64_t n = samples.size(0);
  auto opts = torch::TensorOptions().dtype(torch::kDouble).device(samples.device());
  return GaussianMixture(torch::full({n}, 1.0 / n, opts), samples, torch::zeros({n}, opts));
}

GaussianMixture GaussianMixture::blend(const GaussianMixture& p, const GaussianMixture& q,
                                       double alpha) {
  if (!(alpha >= 0 && alpha <= 1)) throw std::invalid_argument("blend: alpha outside [0, 1]");
  if (alpha == 1) return p;
  if (alpha == 0) return q;
  auto qm = q.means_.to(p.means_.device());
  return GaussianMixture(
      torch::cat({p.weights_ * alpha, q.weights_.to(p.means_.device()) * (1 - alpha)}),
      torch::cat({p.means_, qm}), torch::cat({p.variances_, q.variances_.to(p.means_.device())}));
}

GaussianMixture GaussianMixture::noised(double sigma) const {
  return GaussianMixture(weights_, means_, variances_ + sigma * sigma);
}

void GaussianMixture::require_positive_variance(const char* what) const {
  if ((variances_ <= 0).any().item<bool>()) {
    throw std::invalid_argument(std::string("GaussianMixture::") + what +
                                ": a component has variance 0; use noised(sigma) first");
  }
}

torch::Tensor GaussianMixture::joint_log(const torch::Tensor& x, const torch::Tensor& var) const {
  // ‖x − m‖² = ‖x‖² − 2 x·m + ‖m‖², one matmul instead of an [n, K, D] difference.
  auto x_sq = x.pow(2).sum(1, true);
  auto d2 = (x_sq - 2 * x.matmul(means_.t()) + mean_sq_.unsqueeze(0)).clamp_min(0);
  const double d = static_cast<double>(dim());
  return log_weights_.unsqueeze(0) - 0.5 * d2 / var - 0.5 * d * (var * (2 * M_PI)).log();
}

torch::Tensor GaussianMixture::joint_log(const torch::Tensor& x) const {
  return joint_log(x, variances_.unsqueeze(0));
}

namespace {
torch::Tensor row_sigmas(const torch::Tensor& sigma, const torch::Tensor& x, int64_t rows) {
  auto s = sigma.to(x.device(), torch::kDouble).reshape({-1, 1});
  if (s.size(0) != rows) {
    throw std::invalid_argument("GaussianMixture: need one sigma per row of x");
  }
  return s;
}

// f(first row, rows) over [n, ·] in chunks of `step` rows, concatenated; `empty` when n = 0.
template <class F>
torch::Tensor by_row_chunks(int64_t n, int64_t step, const torch::Tensor& empty, F&& f) {
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < n; i += step) parts.push_back(f(i, std::min(step, n - i)));
  return parts.empty() ? empty : torch::cat(parts);
}
}  // namespace

torch::Tensor GaussianMixture::noised_log_prob(const torch::Tensor& x_in,
                                               const torch::Tensor& sigma) const {
  torch::NoGradGuard no_grad;
  auto x = x_in.to(means_.device(), torch::kDouble);
  auto s = row_sigmas(sigma, x, x.size(0));
  return by_row_chunks(x.size(0), chunk_rows(components()), torch::zeros({0}, x.options()),
                       [&](int64_t i, int64_t n) {
                         auto var = variances_.unsqueeze(0) + s.narrow(0, i, n).square();
                         return torch::logsumexp(joint_log(x.narrow(0, i, n), var), 1);
                       });
}

torch::Tensor GaussianMixture::noised_score(const torch::Tensor& x_in,
                                            const torch::Tensor& sigma) const {
  torch::NoGradGuard no_grad;
  auto x = x_in.to(means_.device(), torch::kDouble);
  auto s = row_sigmas(sigma, x, x.size(0));
  return by_row_chunks(x.size(0), chunk_rows(components()), torch::zeros({0, dim()}, x.options()),
                       [&](int64_t i, int64_t n) {
                         auto xc = x.narrow(0, i, n);
                         auto var = variances_.unsqueeze(0) + s.narrow(0, i, n).square();
                         auto rv = torch::softmax(joint_log(xc, var), 1) / var;
                         return rv.matmul(means_) - xc * rv.sum(1, true);
                       });
}

torch::Tensor GaussianMixture::log_prob(const torch::Tensor& x_in) const {
  require_positive_variance("log_prob");
  torch::NoGradGuard no_grad;
  auto x = x_in.to(means_.device(), torch::kDouble);
  return by_row_chunks(
      x.size(0), chunk_rows(components()), torch::zeros({0}, x.options()),
      [&](int64_t i, int64_t n) { return torch::logsumexp(joint_log(x.narrow(0, i, n)), 1); });
}

torch::Tensor GaussianMixture::responsibilities(const torch::Tensor& x_in) const {
  require_positive_variance("responsibilities");
  torch::NoGradGuard no_grad;
  auto x = x_in.to(means_.device(), torch::kDouble);
  return by_row_chunks(
      x.size(0), chunk_rows(components()), torch::zeros({0, components()}, x.options()),
      [&](int64_t i, int64_t n) { return torch::softmax(joint_log(x.narrow(0, i, n)), 1); });
}

torch::Tensor GaussianMixture::score(const torch::Tensor& x_in) const {
  require_positive_variance("score");
  torch::NoGradGuard no_grad;
  auto x = x_in.to(means_.device(), torch::kDouble);
  const auto inv_var = variances_.reciprocal().unsqueeze(0);
  return by_row_chunks(x.size(0), chunk_rows(components()), torch::zeros({0, dim()}, x.options()),
                       [&](int64_t i, int64_t n) {
                         auto xc = x.narrow(0, i, n);
                         // Σ_k r_k (m_k − x)/v_k = (r/v)·M − x·Σ_k r_k/v_k
                         auto rv = torch::softmax(joint_log(xc), 1) * inv_var;
                         return rv.matmul(means_) - xc * rv.sum(1, true);
                       });
}

const GaussianMixture::SampleTables& GaussianMixture::sample_tables(torch::Device device) const {
  std::lock_guard<std::mutex> lock(sample_cache_->mutex);
  auto& t = sample_cache_->by_device[device.str()];
  if (!t.weights.defined()) {
    t.weights = weights_.to(device, torch::kFloat);
    t.means = means_.to(device, torch::kFloat);
    t.sd = variances_.sqrt().to(device, torch::kFloat).unsqueeze(1);
  }
  return t;  // std::map never moves its elements
}

torch::Tensor GaussianMixture::sample(int64_t n, const Rng& rng) const {
  if (!rng.device().is_cpu()) {
    const SampleTables& t = sample_tables(rng.device());
    auto idx = rng.multinomial(t.weights, n);
    return t.means.index_select(0, idx) + t.sd.index_select(0, idx) * rng.randn({n, dim()});
  }
  auto idx = rng.multinomial(weights_, n);
  auto m = means_.to(rng.device()).index_select(0, idx).to(torch::kFloat);
  auto sd = variances_.to(rng.device()).sqrt().index_select(0, idx).to(torch::kFloat).unsqueeze(1);
  return m + sd * rng.randn({n, dim()});
}

}  // namespace scorelab
