// How steps run: the phase timer's bookkeeping, the auto-device rule, which live changes keep a
// CUDA graph, eager steps where graphs cannot run, and (CUDA only) graph replays against eager
// steps from the same seed for every method.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <deque>
#include <functional>

#include "common/error.h"
#include "common/phase_timer.h"
#include "settings/presets.h"
#include "settings/settings.h"
#include "train/device_choice.h"
#include "train/run_parts.h"
#include "train/step_runner.h"

using namespace scorelab;

namespace {

// Marks whose intervals are given: the k-th interval lasts seconds[k].
class ScriptedMarks : public PhaseMarks {
 public:
  explicit ScriptedMarks(std::deque<double> seconds) : seconds_(std::move(seconds)) {}
  void mark() override { ++marks_; }
  std::vector<double> intervals() override {
    std::vector<double> out;
    for (int i = 1; i < marks_ && !seconds_.empty(); ++i) {
      out.push_back(seconds_.front());
      seconds_.pop_front();
    }
    marks_ = marks_ > 0 ? 1 : 0;
    return out;
  }

 private:
  std::deque<double> seconds_;
  int marks_ = 0;
};

}  // namespace

TEST(PhaseTimer, NestedSectionsAreExclusiveAndPhasesApart) {
  // Nine boundaries, eight intervals: other 1 | critic 2 | optimizer 4 | critic 8 | other 16 |
  // (phase main) other 32 | critic 64 | other 128.
  PhaseTimer t(std::make_unique<ScriptedMarks>(std::deque<double>{1, 2, 4, 8, 16, 32, 64, 128}));
  t.set_phase("pretraining");
  t.enter("other");
  t.enter("critic");
  t.enter("optimizer");
  t.leave();
  t.leave();
  t.set_phase("main");  // a boundary: the 16 s before it are pretraining's
  t.enter("critic");
  t.leave();
  t.leave();
  const auto totals = t.totals();
  auto at = [&](const std::string& p, const std::string& s) {
    auto it = totals.find({p, s});
    return it == totals.end() ? -1.0 : it->second.seconds;
  };
  EXPECT_EQ(at("pretraining", "other"), 1 + 16);
  EXPECT_EQ(at("pretraining", "critic"), 2 + 8);
  EXPECT_EQ(at("pretraining", "optimizer"), 4);
  EXPECT_EQ(at("main", "critic"), 64);
  EXPECT_EQ(at("main", "other"), 32 + 128);
  EXPECT_EQ(totals.at({"main", "critic"}).count, 1);
  EXPECT_EQ(totals.at({"pretraining", "critic"}).count, 1);
}

TEST(PhaseTimer, TimesRealStepsOnTheCpuBySection) {
  Config c = load_preset("swissroll-smt");
  c.run.device = "cpu";
  c.method.pretrain_steps = 2;
  RunParts run = build_run(c);
  PhaseTimer timer(run.device);
  run.method->set_phase_timer(&timer);
  std::vector<torch::Tensor> losses;
  for (int i = 0; i < 4; ++i) run.method->step(losses);
  const auto totals = timer.totals();
  EXPECT_EQ(totals.at({"pretraining", "generator"}).count, 2);
  EXPECT_EQ(totals.at({"main", "critic"}).count, 2 * c.method.score_steps);
  EXPECT_EQ(totals.at({"main", "generator"}).count, 2);
  EXPECT_EQ(totals.at({"main", "direction"}).count, 2);
  // Every update of every network: K critic updates and one generator update per main step.
  EXPECT_EQ(totals.at({"main", "optimizer"}).count, 2 * (c.method.score_steps + 1));
  for (const auto& [key, t] : totals) EXPECT_GE(t.seconds, 0) << key.first << "/" << key.second;
  EXPECT_GT(totals.at({"main", "critic"}).seconds, 0);
}

TEST(AutoDevice, RuleSendsImagesToTheGpuAndToysOnlyWithGraphs) {
  AutoDeviceInputs in;
  EXPECT_TRUE(auto_device_rule(in).device.is_cpu());
  in.cuda_present = true;
  EXPECT_TRUE(auto_device_rule(in).device.is_cpu());  // 2-D, no graphs
  EXPECT_NE(auto_device_rule(in).reason.find("CPU"), std::string::npos);
  in.cuda_graphs = true;
  EXPECT_TRUE(auto_device_rule(in).device.is_cuda());
  in.cuda_graphs = false;
  in.image_data = true;
  EXPECT_TRUE(auto_device_rule(in).device.is_cuda());
  in.image_data = false;
  in.bf16 = true;
  EXPECT_TRUE(auto_device_rule(in).device.is_cuda());
}

TEST(AutoDevice, ANamedDeviceHasNoReasonAndAutoSaysWhy) {
  Config c = load_preset("swissroll-smt");
  c.run.device = "cpu";
  EXPECT_EQ(choose_device(c).reason, "");
  c.run.device = "auto";
  const DeviceChoice d = choose_device(c);
  EXPECT_EQ(d.reason.rfind("auto: ", 0), 0u) << d.reason;
  if (!torch::cuda::is_available()) {
    EXPECT_TRUE(d.device.is_cpu());
    EXPECT_EQ(build_run(c).device_reason, "auto: no CUDA device");
  }
}

TEST(StepRunner, LiveChangesOfDeviceHeldValuesKeepTheGraph) {
  const Config a = load_preset("swissroll-smt");
  Config b = a;
  b.optim.lr_score *= 0.5;
  b.optim.lr_gen *= 2;
  b.optim.ema_gen = 0.9;
  b.optim.ema = 0.5;
  b.run.log_every = 7;
  b.run.steps = 12345;
  b.sampler.eps *= 2;
  EXPECT_TRUE(only_device_held_changes(a, b));
  Config c = a;
  c.noise.sigma_max *= 2;  // baked into the sampler's kernels
  EXPECT_FALSE(only_device_held_changes(a, c));
  c = a;
  c.optim.batch *= 2;  // shapes
  EXPECT_FALSE(only_device_held_changes(a, c));
  c = a;
  c.method.gan_lambda += 0.1;
  EXPECT_FALSE(only_device_held_changes(a, c));
  c = a;
  c.optim.beta2 = a.optim.beta2 == 0.9 ? 0.99 : 0.9;  // baked into the fused AdamW kernel
  EXPECT_FALSE(only_device_held_changes(a, c));
  c = a;
  c.optim.lr_decay_gen = "cosine";  // then run.steps is the schedule's length
  Config d = c;
  d.run.steps = c.run.steps + 100;
  EXPECT_FALSE(only_device_held_changes(c, d));
}

TEST(StepRunner, StepsEagerlyOnTheCpuAndSaysWhy) {
  Config c = load_preset("swissroll-smt");
  c.run.device = "cpu";
  RunParts run = build_run(c);
  StepRunner runner(*run.method, run.device, "auto");
  std::vector<torch::Tensor> losses;
  for (int i = 0; i < 5; ++i) runner.step(losses);
  EXPECT_FALSE(runner.graphs_enabled());
  EXPECT_EQ(runner.captures(), 0);
  EXPECT_EQ(losses.size(), run.method->loss_names().size());
  EXPECT_NE(runner.describe().find("eager"), std::string::npos);
  StepRunner off(*run.method, run.device, "off");
  EXPECT_EQ(off.describe(), "eager: run.cuda_graph = off");
}

TEST(StepRunner, OnIsRefusedWhereGraphsCannotRun) {
  if (torch::cuda::is_available() && cuda_graphs_available()) GTEST_SKIP() << "graphs can run";
  Config c = load_preset("swissroll-smt");
  c.run.device = "auto";
  c.run.cuda_graph = "on";
  try {
    build_run(c);
    FAIL() << "run.cuda_graph = on was accepted without CUDA graphs";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("run.cuda_graph"), std::string::npos) << e.what();
  }
}

TEST(StepKind, PretrainingTeacherAndMainFollowTheUpdateCounts) {
  Config c = load_preset("swissroll-smd");
  c.run.device = "cpu";
  c.method.pretrain_steps = 2;
  c.method.teacher_steps = 2;
  RunParts run = build_run(c);
  std::vector<std::string> kinds;
  std::vector<torch::Tensor> losses;
  for (int i = 0; i < 6; ++i) {
    kinds.push_back(run.method->step_kind());
    run.method->step(losses);
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"pretrain", "pretrain", "teacher", "teacher", "main",
                                             "main"}));
}

// ---- CUDA only: graph replays against eager steps ----

namespace {

struct Trace {
  std::vector<std::vector<double>> losses;  // per step
  std::vector<torch::Tensor> weights;       // per network, at the end
  int64_t captures = 0, replays = 0;
};

// `steps` steps of `c` with run.cuda_graph = mode; `between(step, run, runner)` runs before
// each step (1-based) and may change settings live.
Trace run_steps(Config c, const std::string& mode, int steps,
                const std::function<void(int, RunParts&, StepRunner&)>& between = {}) {
  c.run.device = "cuda";
  c.run.cuda_graph = mode;
  RunParts run = build_run(c);
  StepRunner runner(*run.method, run.device, mode);
  Trace t;
  std::vector<torch::Tensor> losses;
  for (int s = 1; s <= steps; ++s) {
    if (between) between(s, run, runner);
    runner.step(losses);
    std::vector<double> row;
    for (const auto& l : losses) row.push_back(l.item<double>());
    t.losses.push_back(row);
  }
  for (auto* n : run.method->networks()) t.weights.push_back(n->params().data().cpu());
  t.captures = runner.captures();
  t.replays = runner.replays();
  return t;
}

void expect_close(const Trace& graph, const Trace& eager, const std::string& what) {
  ASSERT_EQ(graph.losses.size(), eager.losses.size());
  for (size_t s = 0; s < graph.losses.size(); ++s) {
    for (size_t k = 0; k < graph.losses[s].size(); ++k) {
      const double e = eager.losses[s][k], g = graph.losses[s][k];
      EXPECT_NEAR(g, e, 1e-3 * std::max(1.0, std::abs(e)))
          << what << ": step " << s + 1 << " loss " << k;
    }
  }
  ASSERT_EQ(graph.weights.size(), eager.weights.size());
  for (size_t i = 0; i < graph.weights.size(); ++i) {
    EXPECT_LT((graph.weights[i] - eager.weights[i]).abs().max().item<double>(), 1e-3)
        << what << ": network " << i;
  }
}

// Before step `at`, a live change of the settings as the Trainer applies one: the method takes
// them, then the runner learns what changed.
std::function<void(int, RunParts&, StepRunner&)> live_change_at(int at,
                                                                std::function<void(Config&)> edit) {
  return [at, edit](int step, RunParts& run, StepRunner& runner) {
    if (step != at) return;
    Config next = run.config;
    edit(next);
    run.method->update_hyperparams(next);
    runner.config_changed(run.config, next);
    run.config = next;
  };
}

bool graphs_here() {
  return torch::cuda::is_available() && cuda_graphs_available();
}

}  // namespace

TEST(CudaGraph, EveryMethodReplaysAsItsEagerStepsFromTheSameSeed) {
  if (!graphs_here()) GTEST_SKIP() << "no CUDA device or no CUDA graphs in this libtorch";
  for (const std::string preset :
       {"swissroll-dsm", "swissroll-smt", "swissroll-smd", "swissroll-smm", "swissroll-gan"}) {
    Config c = load_preset(preset);
    c.method.pretrain_steps = 5;  // phases change inside the 20 steps: each kind re-captures
    c.method.teacher_steps = 5;
    c.run.seed = 11;
    const Trace eager = run_steps(c, "off", 20);
    const Trace graph = run_steps(c, "on", 20);
    EXPECT_EQ(eager.replays, 0);
    EXPECT_GT(graph.replays, 5) << preset;
    EXPECT_GE(graph.captures, 1) << preset;
    expect_close(graph, eager, preset);
  }
}

TEST(CudaGraph, ALiveLearningRateChangeTakesEffectWithoutRecapture) {
  if (!graphs_here()) GTEST_SKIP() << "no CUDA device or no CUDA graphs in this libtorch";
  Config c = load_preset("swissroll-smt");
  c.method.pretrain_steps = 0;
  const auto change = live_change_at(11, [](Config& next) {
    next.optim.lr_gen *= 10;
    next.optim.lr_score *= 0.1;
  });
  const Trace eager = run_steps(c, "off", 20, change);
  const Trace graph = run_steps(c, "on", 20, change);
  EXPECT_EQ(graph.captures, 1);
  expect_close(graph, eager, "lr change");
  // And it did change something: without it the weights differ.
  const Trace unchanged = run_steps(c, "on", 20);
  EXPECT_GT((unchanged.weights.back() - graph.weights.back()).abs().max().item<double>(), 1e-6);
}

TEST(CudaGraph, AShapeChangeRecaptures) {
  if (!graphs_here()) GTEST_SKIP() << "no CUDA device or no CUDA graphs in this libtorch";
  Config c = load_preset("swissroll-smt");
  c.method.pretrain_steps = 0;
  const auto change = live_change_at(11, [](Config& next) { next.optim.batch /= 2; });
  const Trace eager = run_steps(c, "off", 20, change);
  const Trace graph = run_steps(c, "on", 20, change);
  EXPECT_EQ(graph.captures, 2);
  expect_close(graph, eager, "batch change");
}

TEST(StepRunner, ItsSettingRefusesNonsenseByName) {
  const Config c = load_preset("swissroll-smt");
  try {
    apply_setting(c, "run.cuda_graph", "sometimes");
    FAIL() << "run.cuda_graph = sometimes was accepted";
  } catch (const ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("run.cuda_graph"), std::string::npos) << m;
    EXPECT_NE(m.find("auto"), std::string::npos) << m;  // names the choices
  }
  Config on_cpu = c;
  on_cpu.run.device = "cpu";
  on_cpu.run.cuda_graph = "on";
  EXPECT_THROW(validate(on_cpu), ConfigError);
  on_cpu.run.cuda_graph = "off";
  EXPECT_NO_THROW(validate(on_cpu));
}
