#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "common/rng.h"
#include "noise/sigma_schedules.h"

using namespace scorelab;

TEST(Noise, KarrasGridEndpointsAndFormula) {
  auto s = karras_sigmas(1000, 0.002, 80, 7);
  EXPECT_NEAR(s.front(), 0.002, 1e-12);
  EXPECT_NEAR(s.back(), 80, 1e-9);
  const double a = std::pow(0.002, 1 / 7.0), b = std::pow(80.0, 1 / 7.0);
  EXPECT_NEAR(s[500], std::pow(a + 500.0 / 999 * (b - a), 7), 1e-12);
  for (size_t i = 1; i < s.size(); ++i) EXPECT_GT(s[i], s[i - 1]);
}

TEST(Noise, GeometricLadderHasConstantRatio) {
  auto s = geometric_sigmas(10, 20, 0.1);
  EXPECT_NEAR(s.front(), 20, 1e-12);
  EXPECT_NEAR(s.back(), 0.1, 1e-12);
  for (size_t i = 2; i < s.size(); ++i) EXPECT_NEAR(s[i] / s[i - 1], s[1] / s[0], 1e-12);
}

TEST(Noise, SmmScheduleMatchesThePaper) {
  auto s = smm_sigmas(10);
  EXPECT_NEAR(s.front(), std::sqrt(1e-4), 1e-12);  // ᾱ_1 = 1 − β_1
  double ab = 1;
  for (int t = 0; t < 10; ++t) ab *= 1 - (1e-4 + (0.02 - 1e-4) * t / 9.0);
  EXPECT_NEAR(s.back(), std::sqrt(1 - ab), 1e-12);
  EXPECT_NEAR(s.back(), 0.31, 0.01);
}

TEST(Noise, SamplerStaysOnTheGridAndInRange) {
  NoiseConfig c;
  c.levels = 50;
  SigmaSampler k(c, torch::kCPU);
  Rng rng(2, torch::kCPU);
  auto s = k.sample(5000, rng);
  EXPECT_GE(s.min().item<double>(), c.sigma_min * 0.999);
  EXPECT_LE(s.max().item<double>(), c.sigma_max * 1.001);
  EXPECT_EQ(std::get<0>(torch::_unique(s)).numel(), 50);
  // A 2%..98% slice excludes both ends of the grid.
  auto mid = k.sample(5000, rng, 0.02, 0.98);
  EXPECT_GT(mid.min().item<double>(), k.grid()[0].item<double>());
  EXPECT_LT(mid.max().item<double>(), k.grid()[49].item<double>());
  c.schedule = "lognormal";
  SigmaSampler ln(c, torch::kCPU);
  auto l = ln.sample(20000, rng);
  EXPECT_GE(l.min().item<double>(), c.sigma_min * (1 - 1e-6));
  EXPECT_LE(l.max().item<double>(), c.sigma_max * (1 + 1e-6));
  EXPECT_NEAR(l.log().median().item<double>(), -1.2, 0.05);
}
