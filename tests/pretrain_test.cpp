// Generator pretraining (method.pretrain_steps): a denoiser generator is trained as an ordinary
// denoiser over all noise levels, checked against the data's exact posterior mean; the steps
// are counted in the run, critics wait, and the phase is reported.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/error.h"
#include "common/rng.h"
#include "data/gaussian_mixture.h"
#include "data/toy_datasets.h"
#include "methods/one_step_method.h"
#include "models/networks.h"
#include "train/run_parts.h"

using namespace scorelab;

namespace {

Config pretrain_config(const std::string& generator, int64_t steps) {
  Config c;
  c.data.name = "gauss8";
  c.method.name = "smt";
  c.method.score_steps = 2;
  c.method.pretrain_steps = steps;
  c.model.generator = generator;
  c.optim.lr_gen = 2e-3;
  c.run.device = "cpu";
  return c;
}

// mean |D(x_t; σ) − E[x | x_t]| over points drawn from the noised data at σ.
double denoiser_error(ScoreNetImpl& d, const GaussianMixture& mix, double sigma) {
  torch::NoGradGuard no_grad;
  Rng rng(3, torch::kCPU);
  auto x_t = mix.sample(2000, rng).to(torch::kFloat) + sigma * rng.randn({2000, 2});
  auto s = torch::full({2000, 1}, sigma);
  auto exact = x_t.to(torch::kDouble) +
               sigma * sigma * mix.noised_score(x_t.to(torch::kDouble), s.to(torch::kDouble));
  return (d.denoise(x_t, s).to(torch::kDouble) - exact).abs().mean().item<double>();
}

}  // namespace

TEST(Pretrain, DenoiserGeneratorLearnsThePosteriorMeanAtEveryNoiseLevel) {
  RunParts run = build_run(pretrain_config("denoiser", 1200));
  auto& method = dynamic_cast<OneStepMethod&>(*run.method);
  ScoreNetImpl* d = method.generator()->denoiser();
  ASSERT_NE(d, nullptr);
  const double sigmas[] = {0.1, 0.5, 2.0};
  double before[3];
  for (int i = 0; i < 3; ++i) before[i] = denoiser_error(*d, gauss8_mixture(), sigmas[i]);
  std::vector<torch::Tensor> losses;
  for (int i = 0; i < 1200; ++i) run.method->step(losses);
  // EDM's skip connection makes the untrained denoiser nearly right at small σ already; the
  // error falls by a third or more where the network itself has to do the work.
  const double factor[] = {0.9, 0.5, 0.7};
  for (int i = 0; i < 3; ++i) {
    const double after = denoiser_error(*d, gauss8_mixture(), sigmas[i]);
    EXPECT_LT(after, factor[i] * before[i]) << "sigma " << sigmas[i] << " before " << before[i];
  }
}

TEST(Pretrain, StepsAreCountedCriticsWaitAndThePhaseIsReported) {
  RunParts run = build_run(pretrain_config("denoiser", 5));
  std::vector<torch::Tensor> losses;
  auto nets = run.method->networks();  // score, then the generator
  ASSERT_EQ(nets.size(), 2u);
  for (int i = 1; i <= 5; ++i) {
    run.method->step(losses);
    EXPECT_EQ(nets[1]->updates(), i);
    EXPECT_EQ(nets[0]->updates(), 0);
    EXPECT_EQ(run.method->phase(), "pretraining the generator: step " + std::to_string(i) + "/5");
  }
  run.method->step(losses);  // the method proper: K = 2 score updates, one generator update
  EXPECT_EQ(nets[0]->updates(), 2);
  EXPECT_EQ(nets[1]->updates(), 6);
  EXPECT_EQ(run.method->phase(), "");
}

TEST(Pretrain, MlpGeneratorLearnsTheSigmaMaxDenoiserAndNeedsDataSizedZ) {
  Config c = pretrain_config("mlp", 300);
  RunParts run = build_run(c);
  // x has covariance 2·I on gauss8 and the input is ε + x/5: the best linear estimate leaves a
  // mean squared error of 2·(1 − 0.08/1.08) = 1.852 per coordinate, an untrained g ≈ 0 about 2.
  std::vector<torch::Tensor> losses;
  double late = 0;
  for (int i = 0; i < 300; ++i) {
    run.method->step(losses);
    if (i >= 250) late += losses[1].item<double>() / 50;  // "gen" follows "score"
  }
  EXPECT_LT(late, 1.852 * 1.03);
  EXPECT_GT(late, 1.6);

  c.model.z_dim = 3;
  try {
    build_run(c);
    FAIL() << "z_dim 3 accepted for a 2-D mlp generator's pretraining";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.z_dim = 2"), std::string::npos) << e.what();
  }
}
