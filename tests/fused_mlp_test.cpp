// The hand-written MLP path (models/fused_mlp.h) against libtorch autograd through the same
// modules: outputs, input gradients and parameter gradients of every kind of network call, then
// whole training steps of every method with run.fast_mlp on and off.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "common/rng.h"
#include "kernels/cpu_kernels.h"
#include "models/generator_mlp.h"
#include "models/score_mlp.h"
#include "settings/presets.h"
#include "settings/settings.h"
#include "train/run_parts.h"

using namespace scorelab;

namespace {

// max |a − b| relative to max |b|: float reassociation stays near 1e-6.
double rel_diff(const torch::Tensor& a, const torch::Tensor& b) {
  const double scale = b.abs().max().item<double>();
  return (a - b).abs().max().item<double>() / (scale + 1e-12);
}

struct CallResult {
  torch::Tensor out, dx;
  std::vector<torch::Tensor> grads;
};

// out = call(x) for a fresh leaf x, then backward of Σ w·out: what reaches x and the parameters.
CallResult run_call(torch::nn::Module& net, const torch::Tensor& x0,
                    const std::function<torch::Tensor(const torch::Tensor&)>& call) {
  for (auto& p : net.parameters()) p.mutable_grad() = torch::Tensor();
  auto x = x0.clone().requires_grad_(true);
  auto out = call(x);
  Rng rng(99, torch::kCPU);
  (out * rng.randn(out.sizes())).sum().backward();
  CallResult r{out.detach(), x.grad().clone(), {}};
  for (auto& p : net.parameters()) {
    r.grads.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
  }
  return r;
}

// dx_tol: the score (D − x)/σ² differentiates to (∂D/∂x − I)/σ², with ∂D/∂x ≈ I at small σ;
// that cancellation costs a digit there.
void expect_same(const CallResult& fused, const CallResult& ref, const std::string& what,
                 double dx_tol = 1e-5) {
  EXPECT_LT(rel_diff(fused.out, ref.out), 1e-5) << what << ": output";
  EXPECT_LT(rel_diff(fused.dx, ref.dx), dx_tol) << what << ": input gradient";
  ASSERT_EQ(fused.grads.size(), ref.grads.size());
  for (size_t i = 0; i < ref.grads.size(); ++i) {
    EXPECT_LT(rel_diff(fused.grads[i], ref.grads[i]), 1e-5) << what << ": parameter " << i;
  }
  // Not vacuous: the reference gradients are there.
  EXPECT_GT(ref.dx.abs().max().item<double>(), 0) << what;
}

ScoreMLP score_mlp(bool fused, bool alpha, int64_t in_dim = 0) {
  ScoreMLPOptions o;
  o.hidden = 32;
  o.layers = 3;
  o.in_dim = in_dim;
  o.alpha_conditioned = alpha;
  o.disc_head = true;
  o.sigma_data = 0.5;
  o.fused = fused;
  return ScoreMLP(o, Rng(7, torch::kCPU));
}

struct Inputs {
  torch::Tensor x, sigma, alpha;
};

Inputs inputs(int64_t b, int64_t dim) {
  Rng rng(3, torch::kCPU);
  return {rng.randn({b, dim}), (rng.randn({b, 1}) * 1.5).exp() * 0.3, rng.rand({b, 1})};
}

}  // namespace

TEST(FusedMlp, ScoreMlpCallsMatchAutograd) {
  for (bool alpha : {true, false}) {
    auto fused = score_mlp(true, alpha), ref = score_mlp(false, alpha);
    const auto in = inputs(37, 2);
    const torch::Tensor a = alpha ? in.alpha : torch::Tensor();
    const std::string tag = alpha ? "α-conditioned " : "";
    using Call = std::function<torch::Tensor(ScoreMLPImpl&, const torch::Tensor&)>;
    const std::vector<std::pair<std::string, Call>> calls = {
        {"denoise",
         [&](ScoreMLPImpl& n, const torch::Tensor& x) { return n.denoise(x, in.sigma, a); }},
        {"predict",
         [&](ScoreMLPImpl& n, const torch::Tensor& x) { return n.predict(x, in.sigma, a); }},
        {"logit", [&](ScoreMLPImpl& n, const torch::Tensor& x) { return n.logit(x, in.sigma, a); }},
        {"score", [&](ScoreMLPImpl& n, const torch::Tensor& x) { return n.score(x, in.sigma, a); }},
    };
    for (const auto& entry : calls) {
      const Call& call = entry.second;
      auto f = run_call(*fused, in.x, [&](const torch::Tensor& x) { return call(*fused, x); });
      auto r = run_call(*ref, in.x, [&](const torch::Tensor& x) { return call(*ref, x); });
      expect_same(f, r, tag + entry.first, entry.first == "score" ? 1e-4 : 1e-5);
    }
  }
}

TEST(FusedMlp, LibtorchElementwiseFallbackMatchesAutogradInDouble) {
  // float64 (and CUDA) take libtorch's element-wise ops instead of the CPU kernels.
  auto fused = score_mlp(true, true), ref = score_mlp(false, true);
  fused->to(torch::kDouble);
  ref->to(torch::kDouble);
  auto in = inputs(23, 2);
  const auto x = in.x.to(torch::kDouble), s = in.sigma.to(torch::kDouble),
             a = in.alpha.to(torch::kDouble);
  auto f = run_call(*fused, x, [&](const torch::Tensor& v) { return fused->denoise(v, s, a); });
  auto r = run_call(*ref, x, [&](const torch::Tensor& v) { return ref->denoise(v, s, a); });
  EXPECT_LT(rel_diff(f.out, r.out), 1e-12);
  expect_same(f, r, "float64 denoise");
}

TEST(FusedMlp, CpuKernelsMatchTheirFormulasAndKeepNaN) {
  if (!cpu_kernels::available()) GTEST_SKIP() << "no AVX2 + FMA on this CPU";
  for (const auto& set : cpu_kernels::kernel_sets()) {
    SCOPED_TRACE(set.name);
    Rng rng(4, torch::kCPU);
    const int64_t rows = 5, cols = 37;  // 4 vectors of 8 and a tail of 5
    auto pre = rng.randn({rows, cols}) * 6, bias = rng.randn({cols}),
         extra = rng.randn({rows, cols});
    pre[2][3] = std::nanf("");
    // Saturated and infinite pre-activations: σ must reach 0 and 1 without turning into NaN.
    pre[1][0] = -100;
    pre[1][1] = 100;
    pre[3][9] = -std::numeric_limits<float>::infinity();
    pre[3][10] = std::numeric_limits<float>::infinity();
    auto dh = rng.randn({rows, cols});
    const auto z_ref = pre + bias + extra;
    for (auto act : {cpu_kernels::Act::silu, cpu_kernels::Act::leaky_relu}) {
      const bool silu = act == cpu_kernels::Act::silu;
      auto z = pre.clone(), h = torch::empty_like(z), dz = torch::empty_like(z);
      auto colsum = torch::empty({cols});
      set.bias_act(act, 0.2f, z.data_ptr<float>(), bias.data_ptr<float>(), extra.data_ptr<float>(),
                   h.data_ptr<float>(), rows, cols);
      const auto h_ref = silu ? torch::silu(z_ref) : torch::leaky_relu(z_ref, 0.2);
      EXPECT_TRUE(torch::allclose(h, h_ref, 1e-5, 1e-6, /*equal_nan=*/true)) << silu;
      EXPECT_TRUE(std::isnan(h[2][3].item<float>())) << silu;
      set.act_backward(act, 0.2f, dh.data_ptr<float>(), z.data_ptr<float>(), h.data_ptr<float>(),
                       dz.data_ptr<float>(), colsum.data_ptr<float>(), rows, cols);
      const auto dz_ref = silu ? torch::silu_backward(dh, z_ref)
                               : torch::leaky_relu_backward(dh, z_ref, 0.2, false);
      // Where the reference overflows (∞·0 at ±∞) the kernel does too, as NaN or ±∞.
      EXPECT_TRUE(torch::equal(torch::isfinite(dz), torch::isfinite(dz_ref))) << silu;
      const auto ok = torch::isfinite(dz_ref);
      EXPECT_TRUE(torch::allclose(dz.masked_select(ok), dz_ref.masked_select(ok), 1e-5, 1e-6))
          << silu;
      // As libtorch's: silu' of NaN is NaN; leaky ReLU's slope test (NaN > 0) is false.
      EXPECT_EQ(std::isnan(dz[2][3].item<float>()), silu);
      auto finite = torch::isfinite(dz_ref).all(0);
      EXPECT_TRUE(torch::allclose(colsum.masked_select(finite), dz_ref.sum(0).masked_select(finite),
                                  1e-4, 1e-5))
          << silu;
    }
  }
}

TEST(FusedMlp, TwoInputPredictorMatchesAutograd) {
  // SMM's variants read [x, x + σε]: in_dim = 2·dim.
  auto fused = score_mlp(true, false, 4), ref = score_mlp(false, false, 4);
  const auto in = inputs(20, 4);
  auto f =
      run_call(*fused, in.x, [&](const torch::Tensor& x) { return fused->predict(x, in.sigma); });
  auto r = run_call(*ref, in.x, [&](const torch::Tensor& x) { return ref->predict(x, in.sigma); });
  expect_same(f, r, "two-input predict");
}

TEST(FusedMlp, GeneratorAndDiscriminatorMatchAutograd) {
  for (double leak : {0.2, 0.0}) {
    GeneratorMLPOptions o;
    o.z_dim = 3;
    o.hidden = 32;
    o.layers = 3;
    o.leak = leak;
    GeneratorMLP fused(o, Rng(5, torch::kCPU));
    o.fused = false;
    GeneratorMLP ref(o, Rng(5, torch::kCPU));
    const auto z = inputs(33, 3).x;
    auto f = run_call(*fused, z, [&](const torch::Tensor& x) { return fused->forward(x); });
    auto r = run_call(*ref, z, [&](const torch::Tensor& x) { return ref->forward(x); });
    expect_same(f, r, "generator, leak " + std::to_string(leak));
  }
  for (bool conditioned : {true, false}) {
    DiscriminatorMLPOptions o;
    o.hidden = 32;
    o.sigma_conditioned = conditioned;
    DiscriminatorMLP fused(o, Rng(6, torch::kCPU));
    o.fused = false;
    DiscriminatorMLP ref(o, Rng(6, torch::kCPU));
    const auto in = inputs(29, 2);
    const torch::Tensor s = conditioned ? in.sigma : torch::Tensor();
    auto f = run_call(*fused, in.x, [&](const torch::Tensor& x) { return fused->forward(x, s); });
    auto r = run_call(*ref, in.x, [&](const torch::Tensor& x) { return ref->forward(x, s); });
    expect_same(f, r, conditioned ? "σ-conditioned discriminator" : "discriminator");
  }
}

TEST(FusedMlp, CallsAwaitingTheirBackwardKeepTheirOwnBuffers) {
  // Two calls of one batch size before one backward, and a no-grad call between: each
  // backward must see its own call's activations.
  auto fused = score_mlp(true, true), ref = score_mlp(false, true);
  const auto a = inputs(16, 2), b = inputs(16, 2);
  auto twice = [&](ScoreMLPImpl& n) {
    return [&](const torch::Tensor& x) {
      auto first = n.denoise(x, a.sigma, a.alpha);
      auto second = n.denoise(x * 2.0 + 1.0, b.sigma.flip(0), b.alpha.flip(0));
      {
        torch::NoGradGuard no_grad;
        n.denoise(x.detach() - 3.0, a.sigma, b.alpha);
      }
      return first * 0.7 + second;
    };
  };
  expect_same(run_call(*fused, a.x, twice(*fused)), run_call(*ref, a.x, twice(*ref)),
              "two pending calls");
}

TEST(FusedMlp, DoubleBackwardIsRefusedWithAMessage) {
  auto net = score_mlp(true, false);
  const auto in = inputs(8, 2);
  auto x = in.x.clone().requires_grad_(true);
  auto out = net->denoise(x, in.sigma);
  try {
    torch::autograd::grad({out.sum()}, {x}, {}, true, true);
    FAIL() << "a double backward through the fused path went through";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("run.fast_mlp"), std::string::npos) << e.what();
  }
}

TEST(FusedMlp, NoGradCallsMatchAndRecordNothing) {
  auto fused = score_mlp(true, true), ref = score_mlp(false, true);
  const auto in = inputs(64, 2);
  torch::NoGradGuard no_grad;
  auto f = fused->denoise(in.x, in.sigma, in.alpha);
  EXPECT_FALSE(f.requires_grad());
  EXPECT_LT(rel_diff(f, ref->denoise(in.x, in.sigma, in.alpha)), 1e-5);
}

namespace {

struct StepTrace {
  std::vector<std::vector<double>> losses;  // per step
  std::vector<torch::Tensor> first_grads;   // every network's flat gradient after step 1
  std::vector<torch::Tensor> params;        // every network's weights at the end
};

StepTrace trace(const std::string& preset, const std::vector<std::string>& settings, bool fast,
                int steps) {
  Config c = load_preset(preset);
  c.run.device = "cpu";
  c.run.seed = 11;
  c.optim.batch = 64;
  for (const auto& s : settings) c = apply_setting(c, s);
  c.run.fast_mlp = fast;
  RunParts run = build_run(c);
  StepTrace t;
  std::vector<torch::Tensor> losses;
  for (int i = 0; i < steps; ++i) {
    run.method->step(losses);
    std::vector<double> row;
    for (const auto& l : losses) row.push_back(l.item<double>());
    t.losses.push_back(row);
    if (i == 0) {
      for (auto* n : run.method->networks()) t.first_grads.push_back(n->params().grad().clone());
    }
  }
  for (auto* n : run.method->networks()) t.params.push_back(n->params().data().clone());
  return t;
}

}  // namespace

TEST(FusedMlp, EveryMethodTrainsAsWithAutograd) {
  struct Case {
    std::string preset;
    std::vector<std::string> settings;
  };
  const std::vector<Case> cases = {
      {"swissroll-dsm", {}},
      {"swissroll-smt", {}},
      {"gauss8-smt-alpha01", {}},
      {"gauss25-smt", {"method.gan_mu=0.01", "method.gan_lambda=0.003"}},
      {"gauss8-smt",
       {"model.generator=denoiser", "model.gen_hidden=32", "model.gen_layers=2",
        "method.pretrain_steps=2"}},
      {"swissroll-smd", {"method.teacher_steps=2"}},
      {"swissroll-smm", {}},
      {"swissroll-smm", {"method.smm_variant=1"}},
      {"swissroll-smm", {"method.smm_variant=2", "method.smm_r1=0.1"}},
      {"gauss8-gan", {}},
  };
  const int steps = 5;
  for (const auto& k : cases) {
    std::string what = k.preset;
    for (const auto& s : k.settings) what += " " + s;
    const auto fast = trace(k.preset, k.settings, true, steps);
    const auto ref = trace(k.preset, k.settings, false, steps);
    ASSERT_EQ(fast.first_grads.size(), ref.first_grads.size()) << what;
    for (size_t n = 0; n < ref.first_grads.size(); ++n) {
      EXPECT_LT(rel_diff(fast.first_grads[n], ref.first_grads[n]), 1e-4)
          << what << ": gradient of network " << n << " after step 1";
    }
    for (int i = 0; i < steps; ++i) {
      for (size_t l = 0; l < ref.losses[i].size(); ++l) {
        EXPECT_NEAR(fast.losses[i][l], ref.losses[i][l], 1e-3 * std::fabs(ref.losses[i][l]) + 1e-6)
            << what << ": loss " << l << " at step " << i + 1;
      }
    }
    for (size_t n = 0; n < ref.params.size(); ++n) {
      EXPECT_LT(rel_diff(fast.params[n], ref.params[n]), 1e-3)
          << what << ": weights of network " << n << " after " << steps << " steps";
    }
  }
}
