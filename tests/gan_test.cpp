// The GAN baseline against the known minimiser of its discriminator loss: for real p and a fixed
// generator q, softplus(−D) on p plus softplus(D) on q is minimised by D* = log p − log q.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/error.h"
#include "common/rng.h"
#include "data/toy_datasets.h"
#include "methods/gan.h"
#include "train/run_parts.h"

using namespace scorelab;

TEST(Gan, DiscriminatorApproachesTheLogDensityRatio) {
  Config c;
  c.data.name = "gauss8";
  c.method.name = "gan";
  c.run.device = "cpu";
  c.optim.lr_score = 1e-3;
  RunParts run = build_run(c);
  auto& gan = dynamic_cast<GanMethod&>(*run.method);
  // Smooth p and q that overlap, so log p/q is moderate wherever either has mass.
  const GaussianMixture p(torch::tensor({0.3, 0.3, 0.4}, torch::kDouble),
                          torch::tensor({{-1.0, 0.0}, {1.0, 0.5}, {0.0, -1.0}}, torch::kDouble),
                          torch::tensor({0.16, 0.25, 0.09}, torch::kDouble));
  const GaussianMixture q(torch::tensor({0.5, 0.5}, torch::kDouble),
                          torch::tensor({{0.0, 0.0}, {1.0, 1.0}}, torch::kDouble),
                          torch::tensor({1.0, 0.5}, torch::kDouble));
  Rng fake_rng(17, torch::kCPU);
  Rng real_rng(19, torch::kCPU);
  for (int i = 0; i < 3000; ++i) {
    gan.critic_step(q.sample(256, fake_rng).to(torch::kFloat),
                    p.sample(256, real_rng).to(torch::kFloat));
  }
  // Points where p and q both have mass: a ½/½ blend, keeping those with |log p/q| < 6 (beyond
  // that the ratio is decided by a handful of training samples).
  Rng rng(31, torch::kCPU);
  auto y = GaussianMixture::blend(p, q, 0.5).sample(4000, rng);
  auto truth = (p.log_prob(y) - q.log_prob(y)).to(torch::kFloat);
  auto keep = truth.abs() < 6;
  torch::Tensor learned;
  {
    torch::NoGradGuard no_grad;
    learned = gan.logit(y.to(torch::kFloat)).squeeze(1);
  }
  auto t = truth.masked_select(keep), l = learned.masked_select(keep);
  const double rel = ((l - t).square().mean() / (t - t.mean()).square().mean()).item<double>();
  std::printf("kept %lld of 4000, relative squared error %.4f\n", static_cast<long long>(t.size(0)),
              rel);
  EXPECT_GT(t.size(0), 3000);
  // A constant guess scores 1; a discriminator trained on other data would be far off.
  EXPECT_LT(rel, 0.08);
}

TEST(Gan, OnlyTheOneStepSamplerApplies) {
  Config c;
  c.method.name = "gan";
  c.run.device = "cpu";
  RunParts run = build_run(c);
  EXPECT_THROW(run.method->score("score", torch::zeros({4, 2}), 0.1), ConfigError);
  EXPECT_EQ(run.method->generate(5, Rng(1, torch::kCPU)).size(0), 5);
}
