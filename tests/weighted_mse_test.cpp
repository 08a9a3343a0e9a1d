// methods/weighted_mse.h against its definition written as libtorch ops: value, gradient, and
// the gradient of the gradient, for 2-D rows and image-shaped rows.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/rng.h"
#include "methods/weighted_mse.h"

using namespace scorelab;

namespace {

torch::Tensor definition(const torch::Tensor& pred, const torch::Tensor& target,
                         const torch::Tensor& weight, double scale) {
  const int64_t rows = pred.size(0);
  const auto err = (pred - target).reshape({rows, -1}).square().mean(1);
  return (weight.reshape({rows}) * err).sum() * scale;
}

}  // namespace

TEST(WeightedRowMse, ValueAndGradientMatchTheDefinition) {
  Rng rng(21, torch::kCPU);
  for (const std::vector<int64_t>& shape :
       {std::vector<int64_t>{37, 2}, std::vector<int64_t>{6, 1, 3, 3}}) {
    for (auto dtype : {torch::kFloat, torch::kDouble}) {  // the raw pass, then the fallback
      const int64_t rows = shape[0];
      auto target = rng.randn(shape).to(dtype);
      auto weight = (rng.rand({rows, 1}) * 5).to(dtype);
      auto p0 = rng.randn(shape).to(dtype);
      auto p1 = p0.clone().requires_grad_(true), p2 = p0.clone().requires_grad_(true);
      auto got = weighted_row_mse(p1, target, weight, 0.3);
      auto want = definition(p2, target, weight, 0.3);
      EXPECT_EQ(got.dim(), 0);
      EXPECT_NEAR(got.item<double>(), want.item<double>(), 1e-5 * want.abs().item<double>());
      (got * 1.7).backward();
      (want * 1.7).backward();
      EXPECT_TRUE(torch::allclose(p1.grad(), p2.grad(), 1e-5, 1e-7)) << shape.size() << dtype;
      EXPECT_GT(p2.grad().abs().max().item<double>(), 0);
    }
  }
}

TEST(WeightedRowMse, SecondDerivativeIsTheWeightedIdentity) {
  // d²L/dpred_ik² = 2·scale·w_i/cols: create_graph goes through differentiable ops.
  auto pred = torch::randn({4, 3}).requires_grad_(true);
  auto target = torch::randn({4, 3});
  auto weight = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}).reshape({4, 1});
  auto loss = weighted_row_mse(pred, target, weight, 0.5);
  auto g = torch::autograd::grad({loss}, {pred}, {}, true, true)[0];
  auto h = torch::autograd::grad({g.sum()}, {pred})[0];
  auto want = (2 * 0.5 / 3.0) * weight.expand({4, 3});
  EXPECT_TRUE(torch::allclose(h, want, 1e-6, 1e-7));
}

TEST(WeightedRowMse, ATargetNeedingGradientTakesTheAutogradPath) {
  auto pred = torch::randn({5, 2}).requires_grad_(true);
  auto target = torch::randn({5, 2}).requires_grad_(true);
  auto weight = torch::ones({5, 1});
  weighted_row_mse(pred, target, weight, 1.0).backward();
  ASSERT_TRUE(target.grad().defined());
  EXPECT_TRUE(torch::allclose(target.grad(), -pred.grad()));
}
