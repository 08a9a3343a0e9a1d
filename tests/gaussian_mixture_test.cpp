// Exact mixture scores against finite differences of the exact log density, and the empirical
// (sample-set) score against a brute-force double loop.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "common/rng.h"
#include "data/gaussian_mixture.h"
#include "data/toy_datasets.h"

using namespace scorelab;

namespace {

// Fourth-order central differences: truncation error O(h⁴), so sharp responsibility changes
// between close modes at small σ stay well resolved.
torch::Tensor fd_gradient(const GaussianMixture& m, const torch::Tensor& x, double h) {
  auto g = torch::zeros_like(x);
  for (int64_t d = 0; d < x.size(1); ++d) {
    auto e = torch::zeros_like(x);
    e.select(1, d).fill_(h);
    auto f = [&](double k) { return m.log_prob(x + k * e); };
    g.select(1, d).copy_((-f(2) + 8 * f(1) - 8 * f(-1) + f(-2)) / (12 * h));
  }
  return g;
}

// Points spread around the data at noise level sigma, in float64.
torch::Tensor probe_points(const GaussianMixture& m, double sigma, int64_t n) {
  Rng rng(3, torch::kCPU);
  return m.noised(sigma).sample(n, rng).to(torch::kDouble) +
         0.5 * rng.randn({n, m.dim()}).to(torch::kDouble);
}

double max_rel_err(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).norm(2, 1) / (b.norm(2, 1) + 1.0)).max().item<double>();
}

}  // namespace

TEST(GaussianMixture, ScoreMatchesFiniteDifferencesOfLogDensity) {
  for (const auto& mix : {gauss8_mixture(), gauss25_mixture(), twomodes_mixture()}) {
    for (double sigma : {0.02, 0.1, 0.5, 2.0}) {
      const auto m = mix.noised(sigma);
      auto x = probe_points(mix, sigma, 200);
      const double h = 1e-3 * std::sqrt(m.variances().min().item<double>());
      auto fd = fd_gradient(m, x, h);
      EXPECT_LT(max_rel_err(m.score(x), fd), 1e-5) << "sigma " << sigma;
    }
  }
}

TEST(GaussianMixture, LogDensityIntegratesToOne) {
  // Riemann sum over a box wide enough to hold the mass of gauss8 at σ = 0.3.
  const auto m = gauss8_mixture().noised(0.3);
  const int n = 400;
  auto xs = torch::linspace(-4, 4, n, torch::kDouble);
  auto g = torch::meshgrid({xs, xs}, "ij");
  auto pts = torch::stack({g[0].flatten(), g[1].flatten()}, 1);
  const double cell = std::pow(8.0 / (n - 1), 2);
  EXPECT_NEAR(m.log_prob(pts).exp().sum().item<double>() * cell, 1.0, 2e-3);
}

TEST(GaussianMixture, EmpiricalScoreMatchesBruteForce) {
  Rng rng(11, torch::kCPU);
  auto samples = rng.randn({37, 2}).to(torch::kDouble) * 1.5;
  auto x = rng.randn({23, 2}).to(torch::kDouble) * 2;
  const double sigma = 0.4;
  auto got = GaussianMixture::from_samples(samples).noised(sigma).score(x);
  auto s = samples.accessor<double, 2>();
  auto xa = x.accessor<double, 2>();
  for (int64_t i = 0; i < x.size(0); ++i) {
    // ∇ log (1/N Σ_j N(x; y_j, σ²I)) = Σ_j w_j (y_j − x)/σ², w_j ∝ exp(−‖x − y_j‖²/2σ²)
    double wsum = 0, gx = 0, gy = 0;
    for (int64_t j = 0; j < samples.size(0); ++j) {
      const double dx = s[j][0] - xa[i][0], dy = s[j][1] - xa[i][1];
      const double w = std::exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      wsum += w;
      gx += w * dx / (sigma * sigma);
      gy += w * dy / (sigma * sigma);
    }
    EXPECT_NEAR(got[i][0].item<double>(), gx / wsum, 1e-9);
    EXPECT_NEAR(got[i][1].item<double>(), gy / wsum, 1e-9);
  }
}

TEST(GaussianMixture, BlendScoreIsScoreOfTheMixtureDensity) {
  const auto p = gauss8_mixture();
  Rng rng(5, torch::kCPU);
  const auto q = GaussianMixture::from_samples(rng.randn({50, 2}).to(torch::kDouble));
  const double sigma = 0.3;
  auto x = probe_points(p, sigma, 100);
  for (double alpha : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    const auto b = GaussianMixture::blend(p, q, alpha).noised(sigma);
    // The density is α p_σ + (1−α) q_σ by construction; check against that sum directly.
    auto pd = p.noised(sigma).log_prob(x).exp(), qd = q.noised(sigma).log_prob(x).exp();
    EXPECT_LT((b.log_prob(x).exp() - (alpha * pd + (1 - alpha) * qd)).abs().max().item<double>(),
              1e-12);
    EXPECT_LT(max_rel_err(b.score(x), fd_gradient(b, x, 1e-5)), 1e-5) << "alpha " << alpha;
  }
}

TEST(GaussianMixture, ZeroVarianceScoreIsRefused) {
  auto m = GaussianMixture::from_samples(torch::zeros({3, 2}));
  EXPECT_THROW(m.score(torch::zeros({1, 2})), std::invalid_argument);
}

TEST(ToyDatasets, MixtureSamplesHaveTheStatedMoments) {
  Rng rng(1, torch::kCPU);
  auto d = make_twomodes();
  auto x = d->sample(40000, rng).to(torch::kDouble);
  const double upper = (x.select(1, 0) > 0).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(upper, 0.2, 0.01);
  auto sr = make_swissroll()->sample(40000, rng);
  const double sd = std::sqrt(sr.var(0).mean().item<double>());
  EXPECT_GT(sd, 0.7);
  EXPECT_LT(sd, 1.1);
  for (auto make : {make_circle, make_moons, make_checkerboard, make_gauss25}) {
    auto s = make()->sample(1000, rng);
    EXPECT_EQ(s.sizes(), torch::IntArrayRef({1000, 2}));
    EXPECT_TRUE(torch::isfinite(s).all().item<bool>());
  }
  auto cb = make_checkerboard()->sample(5000, rng);
  // Dark squares only: floor(x) + floor(y) is even for every sample.
  auto parity = torch::remainder(torch::floor(cb.select(1, 0)) + torch::floor(cb.select(1, 1)), 2);
  EXPECT_EQ(parity.sum().item<double>(), 0.0);
}

TEST(GaussianMixture, PerRowNoiseMatchesNoisingRowByRow) {
  // noised_score / noised_log_prob with one σ per row equal noised(σ_i) evaluated on row i.
  GaussianMixture m(torch::tensor({0.3, 0.7}, torch::kDouble),
                    torch::tensor({{1.0, -1.0}, {-2.0, 0.5}}, torch::kDouble),
                    torch::tensor({0.2, 0.05}, torch::kDouble));
  scorelab::Rng rng(8, torch::kCPU);
  auto x = rng.randn({6, 2}) * 2;
  auto sigma = torch::tensor({0.01, 0.1, 0.3, 0.7, 1.5, 4.0}, torch::kDouble);
  auto s = m.noised_score(x, sigma);
  auto lp = m.noised_log_prob(x, sigma.unsqueeze(1));
  for (int64_t i = 0; i < 6; ++i) {
    auto mi = m.noised(sigma[i].item<double>());
    auto xi = x.narrow(0, i, 1);
    EXPECT_LT((s[i] - mi.score(xi)[0]).abs().max().item<double>(), 1e-10) << i;
    EXPECT_NEAR(lp[i].item<double>(), mi.log_prob(xi)[0].item<double>(), 1e-10) << i;
  }
}
