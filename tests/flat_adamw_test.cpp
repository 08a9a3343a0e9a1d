// The flat-buffer AdamW against libtorch's own AdamW on an identical copy of a network.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "common/rng.h"
#include "optim/trainable_network.h"

using namespace scorelab;

namespace {
std::shared_ptr<torch::nn::Sequential> make_net() {
  torch::manual_seed(0);
  return std::make_shared<torch::nn::Sequential>(torch::nn::Linear(3, 16), torch::nn::Tanh(),
                                                 torch::nn::Linear(16, 2));
}

// Trains `flat` (over net a) and libtorch's AdamW `ref` (over net b, identical) on the same
// batches; before_update(k) runs before update k (1-based), then the parameters must agree.
void expect_same_training(std::shared_ptr<torch::nn::Sequential> a, TrainableNetwork& flat,
                          std::shared_ptr<torch::nn::Sequential> b, torch::optim::AdamW& ref,
                          int updates, uint64_t seed,
                          const std::function<void(int)>& before_update = {}) {
  Rng rng(seed, torch::kCPU);
  for (int k = 1; k <= updates; ++k) {
    if (before_update) before_update(k);
    auto x = rng.randn({32, 3});
    auto y = rng.randn({32, 2});
    flat.zero_grad();
    ((*a)->forward(x) - y).pow(2).mean().backward();
    flat.step();
    ref.zero_grad();
    ((*b)->forward(x) - y).pow(2).mean().backward();
    ref.step();
  }
  auto pa = (*a)->parameters(), pb = (*b)->parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_LT((pa[i] - pb[i]).abs().max().item<double>(), 1e-5) << i;
  }
}
}  // namespace

TEST(FlatAdamW, MatchesTorchAdamW) {
  auto a = make_net(), b = make_net();
  AdamWHyper h;
  h.lr = 1e-2;
  h.weight_decay = 0.05;
  TrainableNetwork flat("net", std::static_pointer_cast<torch::nn::Module>(a->ptr()), h);
  torch::optim::AdamW ref((*b)->parameters(), torch::optim::AdamWOptions(h.lr)
                                                  .betas({h.beta1, h.beta2})
                                                  .weight_decay(h.weight_decay)
                                                  .eps(h.eps));
  expect_same_training(a, flat, b, ref, 20, 1);
  EXPECT_EQ(flat.updates(), 20);
}

TEST(FlatAdamW, ParametersAndGradientsAreViewsOfTheFlatBuffers) {
  auto a = make_net();
  TrainableNetwork flat("net", std::static_pointer_cast<torch::nn::Module>(a->ptr()), AdamWHyper{});
  flat.params().data().fill_(0.5);
  for (const auto& p : (*a)->parameters()) EXPECT_EQ(p.min().item<float>(), 0.5f);
  (*a)->forward(torch::ones({4, 3})).sum().backward();
  EXPECT_GT(flat.params().grad().abs().sum().item<double>(), 0);
}

TEST(FlatAdamW, GradientClipBoundsTheNorm) {
  auto a = make_net();
  AdamWHyper h;
  h.grad_clip = 0.1;
  h.weight_decay = 0;
  TrainableNetwork flat("net", std::static_pointer_cast<torch::nn::Module>(a->ptr()), h);
  flat.zero_grad();
  ((*a)->forward(torch::ones({4, 3})) * 1000).sum().backward();
  flat.step();
  EXPECT_NEAR(flat.params().grad().norm().item<double>(), 0.1, 1e-5);
}

TEST(TrainableNetwork, EmaFollowsItsFormula) {
  auto a = make_net(), shadow = make_net();
  AdamWHyper h;
  TrainableNetwork net("net", std::static_pointer_cast<torch::nn::Module>(a->ptr()), h);
  net.attach_ema(std::static_pointer_cast<torch::nn::Module>(shadow->ptr()), 0.9);
  Rng rng(3, torch::kCPU);
  auto ema = net.params().data().clone();
  for (int t = 1; t <= 30; ++t) {
    net.zero_grad();
    (*a)->forward(rng.randn({8, 3})).pow(2).sum().backward();
    net.step();
    const double d = std::min(0.9, (1.0 + t) / (10.0 + t));
    ema = d * ema + (1 - d) * net.params().data();
  }
  EXPECT_LT((net.ema()->data() - ema).abs().max().item<double>(), 1e-6);
  // The shadow module evaluates with the averaged weights.
  auto x = torch::ones({2, 3});
  EXPECT_FALSE(torch::allclose((*shadow)->forward(x), (*a)->forward(x)));
  net.set_ema_decay(0);
  net.zero_grad();
  (*a)->forward(x).sum().backward();
  net.step();
  EXPECT_TRUE(torch::equal(net.ema()->data(), net.params().data()));
}

TEST(FlatAdamW, LearningRateScheduleWarmsUpThenFollowsTheCosine) {
  AdamWHyper h;
  h.warmup = 10;
  h.cosine = true;
  h.decay_steps = 100;
  EXPECT_NEAR(lr_factor(h, 5), 0.5 * 0.5 * (1 + std::cos(M_PI * 0.05)), 1e-12);
  EXPECT_NEAR(lr_factor(h, 50), 0.5, 1e-12);
  EXPECT_NEAR(lr_factor(h, 100), 0.0, 1e-12);
  EXPECT_NEAR(lr_factor(h, 500), 0.0, 1e-12);  // stays at 0 past the horizon
  AdamWHyper plain;
  EXPECT_EQ(lr_factor(plain, 1), 1.0);
  EXPECT_EQ(lr_factor(plain, 1000000), 1.0);

  // Each update uses lr·factor(update): the same as libtorch's AdamW with the lr set per step.
  auto a = make_net(), b = make_net();
  h.lr = 1e-2;
  h.warmup = 4;
  h.decay_steps = 12;
  TrainableNetwork flat("net", std::static_pointer_cast<torch::nn::Module>(a->ptr()), h);
  torch::optim::AdamW ref((*b)->parameters(), torch::optim::AdamWOptions(h.lr)
                                                  .betas({h.beta1, h.beta2})
                                                  .weight_decay(h.weight_decay)
                                                  .eps(h.eps));
  expect_same_training(a, flat, b, ref, 15, 2, [&](int update) {
    const double warm = std::min(1.0, update / 4.0);
    const double cosine = 0.5 * (1 + std::cos(M_PI * std::min(1.0, update / 12.0)));
    static_cast<torch::optim::AdamWOptions&>(ref.param_groups()[0].options())
        .lr(h.lr * warm * cosine);
  });
}

// The device path (every coefficient computed from device tensors, as CUDA graphs need) runs
// on the CPU too: the same checks against libtorch's AdamW.
TEST(FlatAdamWDevicePath, MatchesTorchAdamWWithScheduleAndALiveLearningRateChange) {
  auto a = make_net(), b = make_net();
  AdamWHyper h;
  h.lr = 1e-2;
  h.weight_decay = 0.05;
  h.warmup = 4;
  h.cosine = true;
  h.decay_steps = 30;
  TrainableNetwork flat("net", std::static_pointer_cast<torch::nn::Module>(a->ptr()), h);
  flat.use_device_path(true);
  ASSERT_TRUE(flat.optimizer().device_path());
  torch::optim::AdamW ref((*b)->parameters(), torch::optim::AdamWOptions(h.lr)
                                                  .betas({h.beta1, h.beta2})
                                                  .weight_decay(h.weight_decay)
                                                  .eps(h.eps));
  double base_lr = h.lr;
  expect_same_training(a, flat, b, ref, 20, 4, [&](int update) {
    if (update == 11) {
      // A live change: the device tensor is rewritten, the next update uses it.
      base_lr = 3e-3;
      AdamWHyper changed = h;
      changed.lr = base_lr;
      flat.optimizer().set_hyper(changed);
    }
    const double warm = std::min(1.0, update / 4.0);
    const double cosine = 0.5 * (1 + std::cos(M_PI * std::min(1.0, update / 30.0)));
    static_cast<torch::optim::AdamWOptions&>(ref.param_groups()[0].options())
        .lr(base_lr * warm * cosine);
  });
  EXPECT_EQ(flat.updates(), 20);
  EXPECT_EQ(flat.optimizer().device_steps().item<double>(), 20.0);
}

TEST(FlatAdamWDevicePath, GradientClipBoundsTheNormAndOffLeavesItAlone) {
  for (double clip : {0.1, 0.0}) {
    auto a = make_net();
    AdamWHyper h;
    h.grad_clip = clip;
    h.weight_decay = 0;
    TrainableNetwork flat("net", std::static_pointer_cast<torch::nn::Module>(a->ptr()), h);
    flat.use_device_path(true);
    flat.zero_grad();
    ((*a)->forward(torch::ones({4, 3})) * 1000).sum().backward();
    const double raw = flat.params().grad().norm().item<double>();
    ASSERT_GT(raw, 1.0);
    flat.step();
    EXPECT_NEAR(flat.params().grad().norm().item<double>(), clip > 0 ? clip : raw, 1e-4 * raw)
        << clip;
  }
}

TEST(FlatAdamWDevicePath, EmaFollowsItsFormulaAndSetStepsReachesTheDevice) {
  auto a = make_net(), shadow = make_net();
  TrainableNetwork net("net", std::static_pointer_cast<torch::nn::Module>(a->ptr()), AdamWHyper{});
  net.use_device_path(true);
  net.attach_ema(std::static_pointer_cast<torch::nn::Module>(shadow->ptr()), 0.9);
  Rng rng(3, torch::kCPU);
  auto ema = net.params().data().clone();
  for (int t = 1; t <= 30; ++t) {
    if (t == 20) net.set_ema_decay(0.5);
    net.zero_grad();
    (*a)->forward(rng.randn({8, 3})).pow(2).sum().backward();
    net.step();
    const double d = std::min(t >= 20 ? 0.5 : 0.9, (1.0 + t) / (10.0 + t));
    ema = d * ema + (1 - d) * net.params().data();
  }
  EXPECT_LT((net.ema()->data() - ema).abs().max().item<double>(), 1e-6);
  net.optimizer().set_steps(7);
  EXPECT_EQ(net.optimizer().device_steps().item<double>(), 7.0);
  // The host count alone (a graph's capture and replays) leaves the device's.
  net.optimizer().set_host_steps(9);
  EXPECT_EQ(net.updates(), 9);
  EXPECT_EQ(net.optimizer().device_steps().item<double>(), 7.0);
}

// On CUDA the device path is libtorch's fused AdamW kernel where the build has it: the same
// checks against libtorch's own AdamW there, with a schedule, clipping and a live lr change.
TEST(FlatAdamWDevicePath, OnCudaMatchesTorchAdamW) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto a = make_net(), b = make_net();
  (*a)->to(torch::kCUDA);
  AdamWHyper h;
  h.lr = 1e-2;
  h.weight_decay = 0.05;
  h.warmup = 3;
  h.grad_clip = 0.5;
  TrainableNetwork flat("net", std::static_pointer_cast<torch::nn::Module>(a->ptr()), h);
  ASSERT_TRUE(flat.optimizer().device_path());
  torch::optim::AdamW ref((*b)->parameters(), torch::optim::AdamWOptions(h.lr)
                                                  .betas({h.beta1, h.beta2})
                                                  .weight_decay(h.weight_decay)
                                                  .eps(h.eps));
  Rng rng(5, torch::kCPU);
  double base = h.lr;
  for (int k = 1; k <= 12; ++k) {
    if (k == 7) {
      base = 3e-3;
      AdamWHyper changed = h;
      changed.lr = base;
      flat.optimizer().set_hyper(changed);
    }
    auto x = rng.randn({32, 3});
    auto y = rng.randn({32, 2});
    flat.zero_grad();
    ((*a)->forward(x.cuda()) - y.cuda()).pow(2).mean().backward();
    flat.step();
    ref.zero_grad();
    ((*b)->forward(x) - y).pow(2).mean().backward();
    torch::nn::utils::clip_grad_norm_((*b)->parameters(), h.grad_clip);
    static_cast<torch::optim::AdamWOptions&>(ref.param_groups()[0].options())
        .lr(base * std::min(1.0, k / 3.0));
    ref.step();
  }
  auto pa = (*a)->parameters(), pb = (*b)->parameters();
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_LT((pa[i].cpu() - pb[i]).abs().max().item<double>(), 1e-5) << i;
  }
}
