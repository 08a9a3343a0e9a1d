#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "common/rng.h"
#include "data/toy_datasets.h"
#include "metrics/toy_metrics.h"

using namespace scorelab;

TEST(Metrics, SlicedW2OfAShiftIsKnown) {
  // Shifting a set by c shifts every projection by c·θ: SW2² = E_θ (c·θ)² = ‖c‖²/D for θ uniform
  // on the sphere; with 4096 directions the Monte-Carlo error is about 2%.
  Rng rng(1, torch::kCPU);
  auto a = rng.randn({3000, 2});
  auto c = torch::tensor({0.6f, -0.8f});
  const double sw = sliced_w2(a + c, a, 4096, 7);
  EXPECT_NEAR(sw, std::sqrt(1.0 / 2), 0.02);
  EXPECT_NEAR(sliced_w2(a, a, 256, 7), 0.0, 1e-12);
}

TEST(Metrics, EnergyDistanceIsZeroForIdenticalSetsAndPositiveOtherwise) {
  Rng rng(1, torch::kCPU);
  auto a = rng.randn({500, 2});
  EXPECT_NEAR(energy_distance(a, a), 0.0, 1e-12);
  EXPECT_GT(energy_distance(a, a + 1), 0.5);
}

TEST(Metrics, ModeMetricsOnExactSamples) {
  Rng rng(4, torch::kCPU);
  auto mix = gauss8_mixture();
  auto x = mix.sample(20000, rng);
  auto m = mode_metrics(x, mix);
  EXPECT_EQ(m.modes_total, 8);
  EXPECT_EQ(m.modes_covered, 8);
  // P(‖z‖ ≤ 3) for a 2D standard normal is 1 − e^{−4.5} = 0.9889.
  EXPECT_NEAR(m.high_quality_rate, 1 - std::exp(-4.5), 0.005);
  for (double w : m.mode_weights) EXPECT_NEAR(w, 0.125, 0.01);
  // Mean NLL equals the entropy: for well separated modes log 8 + log(2πe·0.05²).
  EXPECT_NEAR(m.nll, -std::log(1 / 8.0) + std::log(2 * M_PI * M_E * 0.0025), 0.03);
}

TEST(Metrics, ModeMetricsSeeACollapse) {
  auto mix = gauss8_mixture();
  auto x = mix.means()[0].to(torch::kFloat).unsqueeze(0).repeat({1000, 1});
  auto m = mode_metrics(x, mix);
  EXPECT_EQ(m.modes_covered, 1);
  EXPECT_NEAR(m.mode_weights[0], 1.0, 1e-12);
}

TEST(Metrics, EvaluateSamplesReportsFloorAndNonFinite) {
  auto data = make_swissroll();
  Rng rng(9, torch::kCPU);
  auto real = data->sample(4000, rng);
  auto r = evaluate_samples(real, *data, 3);
  EXPECT_LT(r.sliced_w2, 3 * r.sliced_w2_floor);
  auto bad = real.clone();
  bad[0][0] = NAN;
  auto rb = evaluate_samples(bad, *data, 3);
  EXPECT_EQ(rb.non_finite, 1);
  EXPECT_TRUE(std::isinf(rb.sliced_w2));
}
