#include "metrics/toy_metrics.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "common/rng.h"
#include "data/gaussian_mixture.h"
#include "data/toy_datasets.h"

namespace scorelab {

double sliced_w2(const torch::Tensor& a_in, const torch::Tensor& b_in, int64_t projections,
                 uint64_t seed) {
  torch::NoGradGuard no_grad;
  const int64_t n = std::min(a_in.size(0), b_in.size(0));
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  auto a = a_in.narrow(0, 0, n).to(torch::kCPU, torch::kDouble);
  auto b = b_in.narrow(0, 0, n).to(torch::kCPU, torch::kDouble);
  Rng rng(seed, torch::kCPU);
  auto dirs = rng.randn({a.size(1), projections}).to(torch::kDouble);
  dirs = dirs / dirs.norm(2, 0, true);
  auto pa = std::get<0>(a.matmul(dirs).sort(0));
  auto pb = std::get<0>(b.matmul(dirs).sort(0));
  return std::sqrt((pa - pb).pow(2).mean().item<double>());
}

double energy_distance(const torch::Tensor& a_in, const torch::Tensor& b_in, int64_t max_n) {
  torch::NoGradGuard no_grad;
  auto a = a_in.narrow(0, 0, std::min(a_in.size(0), max_n)).to(torch::kCPU, torch::kDouble);
  auto b = b_in.narrow(0, 0, std::min(b_in.size(0), max_n)).to(torch::kCPU, torch::kDouble);
  const double ab = torch::cdist(a, b).mean().item<double>();
  const double aa = torch::cdist(a, a).mean().item<double>();
  const double bb = torch::cdist(b, b).mean().item<double>();
  return 2 * ab - aa - bb;
}

ModeMetrics mode_metrics(const torch::Tensor& samples, const GaussianMixture& mixture) {
  torch::NoGradGuard no_grad;
  auto x = samples.to(mixture.means().device(), torch::kDouble);
  const int64_t n = x.size(0), k = mixture.components();
  ModeMetrics m;
  m.modes_total = k;
  auto w = mixture.weights().cpu();
  m.true_mode_weights.assign(w.data_ptr<double>(), w.data_ptr<double>() + k);
  if (n == 0) return m;
  auto assign = mixture.responsibilities(x).argmax(1);
  auto mu = mixture.means().index_select(0, assign);
  auto sd = mixture.variances().sqrt().index_select(0, assign);
  auto dist = (x - mu).norm(2, 1) / sd;
  auto hq = dist <= 3.0;
  m.high_quality_rate = hq.to(torch::kDouble).mean().item<double>();
  auto counts = torch::bincount(assign, {}, k).to(torch::kDouble).cpu();
  auto hq_counts = torch::bincount(assign.masked_select(hq), {}, k).to(torch::kDouble).cpu();
  for (int64_t i = 0; i < k; ++i) {
    m.mode_weights.push_back(counts[i].item<double>() / n);
    const double need = std::max(5.0, 0.1 * n * m.true_mode_weights[i]);
    if (hq_counts[i].item<double>() >= need) ++m.modes_covered;
  }
  m.nll = -mixture.log_prob(x).mean().item<double>();
  return m;
}

SampleMetrics evaluate_samples(const torch::Tensor& generated, const Dataset& data, uint64_t seed,
                               int64_t projections) {
  torch::NoGradGuard no_grad;
  SampleMetrics r;
  auto g = generated.to(torch::kCPU, torch::kFloat);
  auto finite = torch::isfinite(g).all(1);
  r.non_finite = g.size(0) - finite.sum().item<int64_t>();
  if (r.non_finite > 0) g = g.index({finite});
  r.n = g.size(0);
  Rng rng(seed ^ 0x9e3779b97f4a7c15ULL, torch::kCPU);
  const int64_t n = std::max<int64_t>(r.n, 2);
  // Both figures carry the sampling noise of the real sets (at n = 10000 one real-vs-real floor
  // varies by ±15% between seeds), so each is the RMS over a few independent real sets.
  constexpr int kRealSets = 4;
  torch::Tensor real1;
  double sw2_sq = 0, floor_sq = 0;
  for (int k = 0; k < kRealSets; ++k) {
    auto a = data.sample(n, rng);
    auto b = data.sample(n, rng);
    if (k == 0) real1 = a;
    sw2_sq += std::pow(sliced_w2(g, a, projections, seed + k), 2);
    floor_sq += std::pow(sliced_w2(b, a, projections, seed + k), 2);
  }
  r.sliced_w2 = std::sqrt(sw2_sq / kRealSets);
  r.sliced_w2_floor = std::sqrt(floor_sq / kRealSets);
  r.energy = r.n > 0 ? energy_distance(g, real1) : std::numeric_limits<double>::quiet_NaN();
  if (const GaussianMixture* mix = data.mixture()) r.modes = mode_metrics(g, *mix);
  if (r.non_finite > 0) {
    // Diverged samples make the figure meaningless; say so rather than report the survivors.
    r.sliced_w2 = std::numeric_limits<double>::infinity();
  }
  return r;
}

}  // namespace scorelab
