// noise/alpha_sampler.h, grid kind: draws on the grid, the forced-zero fraction, no zero for the
// generator, and the same values as the libtorch expression of the same random draws.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/rng.h"
#include "noise/alpha_sampler.h"

using namespace scorelab;

TEST(AlphaSampler, GridDrawsLieOnTheGridWithTheStatedZeroFraction) {
  MethodConfig c;
  c.alpha_sampler = "grid";
  c.alpha_grid = 11;
  c.alpha_zero_frac = 0.3;
  AlphaSampler s(c, torch::kCPU);
  Rng rng(41, torch::kCPU);
  const int64_t n = 20000;
  const auto a = s.score_alphas(n, rng);
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{n, 1}));
  EXPECT_EQ(a.scalar_type(), torch::kFloat);
  const auto k = a * 10;
  EXPECT_LT((k - k.round()).abs().max().item<double>(), 1e-5);  // on {0, 0.1, …, 1}
  EXPECT_GE(a.min().item<double>(), 0.0);
  EXPECT_LE(a.max().item<double>(), 1.0);
  // P(0) = 0.3 + 0.7/11 ≈ 0.364; 4 standard errors ≈ 0.014.
  const double zeros = (a == 0).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(zeros, 0.3 + 0.7 / 11, 0.014);
  const auto g = s.generator_alphas(n, rng);
  EXPECT_GE(g.min().item<double>(), 0.1 - 1e-6);  // 0 removed
  EXPECT_LE(g.max().item<double>(), 1.0);
}

TEST(AlphaSampler, GridDrawsEqualTheLibtorchExpressionOfTheSameDraws) {
  MethodConfig c;
  c.alpha_grid = 1001;
  c.alpha_zero_frac = 0.25;
  AlphaSampler s(c, torch::kCPU);
  Rng rng(42, torch::kCPU), replay(42, torch::kCPU);
  const auto a = s.score_alphas(500, rng);
  // The same random numbers in the same order: the grid index, then the zero coin.
  const auto idx = replay.randint(1001, {500, 1});
  const auto u = replay.rand({500, 1});
  const auto want = (idx.to(torch::kFloat) / 1000.0f).masked_fill(u < 0.25, 0.0);
  EXPECT_TRUE(torch::equal(a, want));
  const auto g = s.generator_alphas(500, rng);
  const auto want_g = (replay.randint(1000, {500, 1}) + 1).to(torch::kFloat) / 1000.0f;
  EXPECT_TRUE(torch::equal(g, want_g));
}
