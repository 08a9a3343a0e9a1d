// The Fréchet distance against its closed forms: equal covariances leave |Δμ|², diagonal ones
// add Σ(√a − √b)², a common rotation changes nothing; too few samples are refused.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/rng.h"
#include "metrics/frechet_distance.h"
#include "temp_dir.h"

using namespace scorelab;

namespace {

GaussianFit fit_of(torch::Tensor mean, torch::Tensor cov) {
  GaussianFit g;
  g.mean = mean.to(torch::kDouble);
  g.cov = cov.to(torch::kDouble);
  g.n = 1000;
  return g;
}

torch::Tensor randn(const Rng& rng, at::IntArrayRef size) {
  return rng.randn(size).to(torch::kDouble);
}

torch::Tensor rotation(const Rng& rng, int64_t d) {
  return std::get<0>(torch::linalg_qr(randn(rng, {d, d})));
}

// A random symmetric positive definite d × d matrix with eigenvalues in [0.1, 3].
torch::Tensor random_spd(const Rng& rng, int64_t d) {
  auto q = rotation(rng, d);
  auto ev = rng.rand({d}).to(torch::kDouble) * 2.9 + 0.1;
  return q.mm(torch::diag(ev)).mm(q.t());
}

}  // namespace

TEST(Frechet, EqualCovariancesLeaveTheSquaredMeanDistance) {
  const Rng rng(1, torch::kCPU);
  const int64_t d = 6;
  auto cov = random_spd(rng, d);
  auto m1 = randn(rng, {d}), m2 = randn(rng, {d});
  const double want = (m1 - m2).pow(2).sum().item<double>();
  EXPECT_NEAR(frechet_distance(fit_of(m1, cov), fit_of(m2, cov)), want, 1e-9 * (1 + want));
  EXPECT_NEAR(frechet_distance(fit_of(m1, cov), fit_of(m1, cov)), 0.0, 1e-9);
}

TEST(Frechet, DiagonalCovariancesAddTheSquaredRootDifferences) {
  const Rng rng(2, torch::kCPU);
  const int64_t d = 5;
  auto a = rng.rand({d}).to(torch::kDouble) * 4 + 0.05;
  auto b = rng.rand({d}).to(torch::kDouble) * 4 + 0.05;
  auto m1 = randn(rng, {d}), m2 = randn(rng, {d});
  const double want =
      (m1 - m2).pow(2).sum().item<double>() + (a.sqrt() - b.sqrt()).pow(2).sum().item<double>();
  const double got = frechet_distance(fit_of(m1, torch::diag(a)), fit_of(m2, torch::diag(b)));
  EXPECT_NEAR(got, want, 1e-9 * (1 + want));
  EXPECT_GT(want, 0.1);  // the check is not vacuous
}

TEST(Frechet, RotatingBothGaussiansChangesNothing) {
  const Rng rng(3, torch::kCPU);
  const int64_t d = 7;
  auto c1 = random_spd(rng, d), c2 = random_spd(rng, d);
  auto m1 = randn(rng, {d}), m2 = randn(rng, {d});
  auto r = rotation(rng, d);
  const double plain = frechet_distance(fit_of(m1, c1), fit_of(m2, c2));
  const double rotated =
      frechet_distance(fit_of(r.mv(m1), r.mm(c1).mm(r.t())), fit_of(r.mv(m2), r.mm(c2).mm(r.t())));
  EXPECT_NEAR(plain, rotated, 1e-8 * (1 + plain));
  // Non-commuting covariances: the cross term is not the diagonal formula's, and still >= 0.
  EXPECT_GT(plain, 0.0);
}

TEST(Frechet, FitUsesNMinusOneAndTheDistanceOfSamplesConverges) {
  // Two samples of one dimension: mean 1, variance (1 + 1) / (2 − 1) = 2.
  auto g = fit_gaussian(torch::tensor({{0.0}, {2.0}}, torch::kDouble));
  EXPECT_DOUBLE_EQ(g.mean[0].item<double>(), 1.0);
  EXPECT_DOUBLE_EQ(g.cov[0][0].item<double>(), 2.0);
  // 20000 samples of N(0, I) and N(μ, diag(4)) in 3-D: FD → |μ|² + 3 (2 − 1)² = 1 + 3.
  const Rng rng(4, torch::kCPU);
  auto x = randn(rng, {20000, 3});
  auto y = randn(rng, {20000, 3}) * 2 + torch::tensor({1.0, 0.0, 0.0});
  EXPECT_NEAR(frechet_distance(fit_gaussian(x), fit_gaussian(y)), 4.0, 0.15);
}

TEST(Frechet, TooFewSamplesAreRefusedWithAMessage) {
  try {
    fit_gaussian(torch::randn({8, 8}), "generated");
    FAIL() << "8 samples of dimension 8 were accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("generated: 8 samples of dimension 8"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(fit_gaussian(torch::full({20, 2}, NAN)), ConfigError);
}

TEST(Frechet, FeatureCsvIsReadAndBadRowsNamed) {
  const scorelab::testing::TempDir dir("fid-csv");
  const auto good = dir.file("a.csv"), bad = dir.file("b.csv");
  std::ofstream(good) << "f0,f1\n1,2\n3, 4\n5\t6\n";
  auto t = read_feature_csv(good);
  ASSERT_EQ(t.size(0), 3);
  ASSERT_EQ(t.size(1), 2);
  EXPECT_DOUBLE_EQ(t[2][1].item<double>(), 6.0);
  std::ofstream(bad) << "1,2\n3,x\n";
  try {
    read_feature_csv(bad);
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("b.csv:2: 'x' is not a number"), std::string::npos)
        << e.what();
  }
  std::ofstream(bad) << "1,2\n3\n";
  EXPECT_THROW(read_feature_csv(bad), IoError);
  EXPECT_THROW(read_feature_csv(dir.file("missing.csv")), IoError);
}
