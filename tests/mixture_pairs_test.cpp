// methods/mixture_pairs.h: the pairs' weights against Eq. 5's α·λ(σ) and (1 − α)·λ(σ) on
// hand-made numbers, and the one-pass CPU float32 version against the general one (float64).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/rng.h"
#include "methods/mixture_pairs.h"

using namespace scorelab;

TEST(MixturePairs, WeightsAndNoisedRowsFollowTheirFormulas) {
  // Two pairs, σ_data = 0.5 (1/σ_d² = 4).
  auto x_r = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}).reshape({2, 2});
  auto x_f = torch::tensor({-1.0f, 0.0f, 0.5f, 0.25f}).reshape({2, 2});
  PairNoise n;
  n.sigma = torch::tensor({0.5f, 2.0f}).reshape({2, 1});
  n.alpha = torch::tensor({0.25f, 1.0f}).reshape({2, 1});
  n.eps_r = torch::tensor({1.0f, -1.0f, 0.0f, 2.0f}).reshape({2, 2});
  n.eps_f = torch::tensor({2.0f, 0.0f, -2.0f, 1.0f}).reshape({2, 2});
  for (auto dtype : {torch::kFloat, torch::kDouble}) {  // the one-pass path, then the general one
    PairNoise nd{n.sigma.to(dtype), n.alpha.to(dtype), n.eps_r.to(dtype), n.eps_f.to(dtype)};
    const auto p = make_mixture_pairs(x_r.to(dtype), x_f.to(dtype), nd, 0.5);
    EXPECT_EQ(p.pairs, 2);
    // λ(0.5) = 4 + 4 = 8, λ(2) = 0.25 + 4 = 4.25.
    const auto w = p.weight.to(torch::kDouble).reshape({4});
    EXPECT_NEAR(w[0].item<double>(), 0.25 * 8, 1e-6);
    EXPECT_NEAR(w[1].item<double>(), 1.0 * 4.25, 1e-6);
    EXPECT_NEAR(w[2].item<double>(), 0.75 * 8, 1e-6);
    EXPECT_NEAR(w[3].item<double>(), 0.0, 1e-6);
    const auto want_xt = torch::tensor({1.5, 1.5, 3.0, 8.0, 0.0, 0.0, -3.5, 2.25})
                             .to(torch::kDouble)
                             .reshape({4, 2});
    EXPECT_TRUE(torch::allclose(p.x_t.to(torch::kDouble), want_xt, 1e-6, 1e-6)) << dtype;
    EXPECT_TRUE(torch::equal(p.x.to(torch::kFloat), torch::cat({x_r, x_f})));
    EXPECT_TRUE(torch::equal(p.sigma.to(torch::kFloat), torch::cat({n.sigma, n.sigma})));
    EXPECT_TRUE(torch::equal(p.alpha.to(torch::kFloat), torch::cat({n.alpha, n.alpha})));
  }
}

TEST(MixturePairs, OnePassMatchesTheGeneralVersionOnRandomPairs) {
  Rng rng(31, torch::kCPU);
  const int64_t b = 41, d = 3;
  auto x_r = rng.randn({b, d}), x_f = rng.randn({b, d});
  PairNoise n{(rng.randn({b, 1})).exp(), rng.rand({b, 1}), rng.randn({b, d}), rng.randn({b, d})};
  const auto fast = make_mixture_pairs(x_r, x_f, n, 0.7);
  PairNoise nd{n.sigma.to(torch::kDouble), n.alpha.to(torch::kDouble), n.eps_r.to(torch::kDouble),
               n.eps_f.to(torch::kDouble)};
  const auto ref = make_mixture_pairs(x_r.to(torch::kDouble), x_f.to(torch::kDouble), nd, 0.7);
  for (const auto& [a, r] :
       {std::pair{fast.x, ref.x}, std::pair{fast.x_t, ref.x_t}, std::pair{fast.sigma, ref.sigma},
        std::pair{fast.alpha, ref.alpha}, std::pair{fast.weight, ref.weight}}) {
    EXPECT_EQ(a.scalar_type(), torch::kFloat);
    EXPECT_TRUE(torch::allclose(a.to(torch::kDouble), r, 1e-5, 1e-6));
  }
}
