// The DSM poster's experiment with the exact score of 1/5·N((5,5), I) + 4/5·N((−5,−5), I):
// annealed Langevin recovers the 1:4 weights; plain Langevin from a uniform box does not.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "data/toy_datasets.h"
#include "metrics/toy_metrics.h"
#include "noise/sigma_schedules.h"
#include "sample/draw_samples.h"
#include "sample/langevin_sampler.h"
#include "settings/presets.h"

using namespace scorelab;

namespace {
double upper_mode_weight(const torch::Tensor& x) {
  return mode_metrics(x, twomodes_mixture()).mode_weights[0];
}
}  // namespace

TEST(Langevin, AnnealedRecoversTheTwoModeWeightsAndPlainDoesNot) {
  const auto mix = twomodes_mixture();
  const SamplerConfig sc = load_preset("twomodes-dsm").sampler;
  ASSERT_EQ(sc.init, "uniform");
  auto annealed = run_langevin(exact_score(mix), sc, true, 5000, 2, 1, torch::kCPU);
  auto plain = run_langevin(exact_score(mix), sc, false, 5000, 2, 1, torch::kCPU);
  const double wa = upper_mode_weight(annealed), wp = upper_mode_weight(plain);
  std::printf("upper-mode weight: annealed %.3f, plain %.3f (true 0.2)\n", wa, wp);
  EXPECT_NEAR(wa, 0.2, 0.05);
  EXPECT_GT(std::fabs(wp - 0.2), 0.15);
  // Annealed samples also sit on the modes (high-quality rate of exact samples is 0.989).
  EXPECT_GT(mode_metrics(annealed, mix).high_quality_rate, 0.95);
}

TEST(Langevin, StepperExposesLevelSigmaStepSizeAndNfe) {
  LangevinOptions o;
  o.levels = 4;
  o.steps_per_level = 3;
  o.sigma_max = 8;
  o.sigma_min = 1;
  o.eps = 0.01;
  auto zero = [](const torch::Tensor& x, double) { return torch::zeros_like(x); };
  LangevinSampler s(zero, o, 10, 2, 1, torch::kCPU);
  const auto ladder = geometric_sigmas(4, 8, 1);
  EXPECT_EQ(s.total_steps(), 12);
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(s.level(), i / 3);
    EXPECT_DOUBLE_EQ(s.sigma(), ladder[i / 3]);
    EXPECT_NEAR(s.step_size(), 0.01 * ladder[i / 3] * ladder[i / 3], 1e-12);
    EXPECT_EQ(s.nfe(), i);
    s.step();
  }
  EXPECT_TRUE(s.done());
  s.step();  // no-op past the end
  EXPECT_EQ(s.nfe(), 12);
  // With a zero score, x_T − x_0 is pure noise of variance Σ a_i per coordinate.
  double var = 0;
  for (double sg : ladder) var += 3 * 0.01 * sg * sg;
  LangevinSampler big(zero, o, 20000, 2, 2, torch::kCPU);
  auto x0 = big.particles().clone();
  big.run();
  EXPECT_NEAR((big.particles() - x0).var().item<double>(), var, 0.05 * var);
}

TEST(Langevin, PlainLangevinWithAStationaryGaussianKeepsIt) {
  // x ~ N(0, I) is invariant (up to O(a) discretisation bias) for s(x) = −x.
  LangevinOptions o;
  o.annealed = false;
  o.levels = 1;
  o.steps_per_level = 400;
  o.sigma_min = 1;
  o.sigma_max = 1;
  o.eps = 0.02;
  o.denoise_last = false;
  auto score = [](const torch::Tensor& x, double) { return -x; };
  LangevinSampler s(score, o, 20000, 2, 3, torch::kCPU);
  s.run();
  // Stationary variance of this discretisation: 1/(1 − a/4) ≈ 1.005.
  EXPECT_NEAR(s.result().var().item<double>(), 1.0 / (1 - 0.02 / 4), 0.03);
}

TEST(Langevin, ManyCpuParticlesRunInIndependentChunks) {
  SamplerConfig c;
  c.levels = 1;
  c.steps_per_level = 50;
  c.sigma_min = 1;
  c.sigma_max = 1;
  c.eps = 0.02;
  c.denoise_last = false;
  auto score = [](const torch::Tensor& x, double) { return -x; };
  const int64_t dim = 1024, rows = langevin_chunk_rows(2500, dim, torch::kCPU);
  ASSERT_EQ(rows, 1024);  // 2^20 numbers per chunk
  EXPECT_EQ(langevin_chunk_rows(2500, 2, torch::kCPU), 2500);
  const SampleResult all = draw_langevin_samples(score, c, "langevin", 2500, dim, 5, torch::kCPU);
  ASSERT_EQ(all.samples.sizes(), (std::vector<int64_t>{2500, dim}));
  EXPECT_EQ(all.nfe, 50);
  // The first chunk is exactly what a call of one chunk's size gives.
  const SampleResult first = draw_langevin_samples(score, c, "langevin", rows, dim, 5, torch::kCPU);
  EXPECT_TRUE(torch::equal(all.samples.narrow(0, 0, rows), first.samples));
  // Later chunks have their own noise: N(0, I) in each, uncorrelated with the first.
  for (int64_t start : {int64_t{1024}, int64_t{2048}}) {
    const torch::Tensor part = all.samples.narrow(0, start, std::min<int64_t>(rows, 2500 - start));
    EXPECT_NEAR(part.var().item<double>(), 1.0 / (1 - 0.02 / 4), 0.03);
    const torch::Tensor a = all.samples.narrow(0, 0, part.size(0));
    const double corr = (a * part).mean().item<double>();
    EXPECT_LT(std::abs(corr), 0.01) << "chunk at row " << start << " repeats the first's noise";
  }
}
