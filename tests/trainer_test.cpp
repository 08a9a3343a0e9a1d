// The Trainer as the app and the CLI use it: commands between steps, snapshots, NaN handling.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/error.h"
#include "settings/presets.h"
#include "settings/settings.h"
#include "temp_dir.h"
#include "train/trainer.h"

using namespace scorelab;

namespace {

Config quick() {
  Config c = load_preset("gauss8-dsm");
  c.run.device = "cpu";
  c.model.hidden = 64;
  c.run.eval_every = 0;
  c.run.log_every = 5;
  return c;
}

bool at_step(const Snapshot& s, int64_t step) {
  return s.step == step && s.state == RunState::paused;
}

}  // namespace

TEST(Trainer, StartsPausedAndStepsExactly) {
  Trainer t(quick());
  EXPECT_EQ(t.snapshot()->state, RunState::paused);
  t.step(7);
  auto s = t.wait_for([](const Snapshot& s) { return at_step(s, 7); }, 30);
  ASSERT_EQ(s->step, 7);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(t.snapshot()->step, 7);  // paused means paused
  EXPECT_EQ(t.snapshot()->rates.at(0).updates, 7);
}

TEST(Trainer, PauseStepResume) {
  Trainer t(quick());
  t.resume();
  auto s = t.wait_for([](const Snapshot& s) { return s.step >= 50; }, 30);
  ASSERT_GE(s->step, 50);
  t.pause();
  s = t.wait_for([](const Snapshot& s) { return s.state == RunState::paused; }, 30);
  const int64_t at = s->step;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(t.snapshot()->step, at);
  t.step(3);
  s = t.wait_for([&](const Snapshot& s) { return at_step(s, at + 3); }, 30);
  EXPECT_EQ(s->step, at + 3);
  t.resume();
  s = t.wait_for([&](const Snapshot& s) { return s.step > at + 20; }, 30);
  EXPECT_GT(s->step, at + 20);
  EXPECT_EQ(s->state, RunState::running);
  EXPECT_FALSE(s->losses.at(0).empty());
}

TEST(Trainer, LiveLearningRateChangeAppliesAtTheNextStepWithoutReset) {
  Trainer t(quick());
  t.step(1);
  auto s = t.wait_for([](const Snapshot& s) { return at_step(s, 1); }, 30);
  const double u1 = s->rates.at(0).last_update_norm;
  ASSERT_GT(u1, 0);
  EXPECT_DOUBLE_EQ(s->rates.at(0).lr, 1e-3);
  ASSERT_EQ(why_refused(t.set("optim.lr_score", "1e-5")), "");
  t.step(1);
  s = t.wait_for([](const Snapshot& s) { return at_step(s, 2); }, 30);
  ASSERT_EQ(s->step, 2);  // no reset: the step count went on
  EXPECT_DOUBLE_EQ(s->rates.at(0).lr, 1e-5);
  EXPECT_DOUBLE_EQ(s->config.optim.lr_score, 1e-5);
  // Adam's early updates are ≈ lr·sign(g) per weight, so the update shrinks with lr (×0.01).
  const double ratio = s->rates.at(0).last_update_norm / u1;
  EXPECT_GT(ratio, 0.005);
  EXPECT_LT(ratio, 0.02);
}

TEST(Trainer, StructuralChangeNeedsAResetAndBadValuesAreRefused) {
  Trainer t(quick());
  const std::string why = why_refused(t.set("model.hidden", "32"));
  EXPECT_NE(why.find("model.hidden needs a reset"), std::string::npos) << why;
  EXPECT_NE(why_refused(t.set("optim.lr_score", "-3")).find("out of range"), std::string::npos);
  EXPECT_EQ(t.snapshot()->config.optim.lr_score, 1e-3);
  t.step(4);
  t.wait_for([](const Snapshot& s) { return at_step(s, 4); }, 30);
  EXPECT_EQ(why_refused(t.set("model.hidden", "32", /*allow_reset=*/true)), "");
  auto s = t.wait_for([](const Snapshot& s) { return s.config.model.hidden == 32; }, 30);
  EXPECT_EQ(s->step, 0);
}

TEST(Trainer, NanPausesWithTheLossAndStepAndKeepsTheLastGoodState) {
  Trainer t(quick());
  t.step(10);
  t.wait_for([](const Snapshot& s) { return at_step(s, 10); }, 30);
  t.inject_nan();
  t.step(3);
  auto s = t.wait_for([](const Snapshot& s) { return s.state == RunState::error; }, 30);
  ASSERT_EQ(s->state, RunState::error);
  EXPECT_NE(s->error.find("loss 'dsm' is nan at step 11"), std::string::npos) << s->error;
  EXPECT_EQ(s->step, 10);
  // The restored state trains on.
  t.step(5);
  s = t.wait_for([](const Snapshot& s) { return at_step(s, 15); }, 30);
  EXPECT_EQ(s->state, RunState::paused);
  EXPECT_TRUE(s->error.empty());
  EXPECT_TRUE(std::isfinite(s->losses.at(0).last()));
}

TEST(Trainer, FieldRequestsReturnLearnedAndExactScores) {
  Trainer t(quick());
  FieldRequest q;
  q.sigma = 0.5;
  q.nx = 5;
  q.ny = 4;
  auto f = t.eval_field(q).get();
  EXPECT_EQ(f.points.sizes(), torch::IntArrayRef({20, 2}));
  EXPECT_EQ(f.learned.sizes(), torch::IntArrayRef({20, 2}));
  EXPECT_EQ(f.exact_kind, "mixture");
  EXPECT_TRUE(f.log_density.defined());
  // Row-major, y outer: the second point moves in x only.
  EXPECT_FLOAT_EQ(f.points[1][1].item<float>(), f.points[0][1].item<float>());
  q.model = "nope";
  EXPECT_THROW(t.eval_field(q).get(), std::exception);
}

TEST(Trainer, RequestsForAnotherDataSetAreRefusedAsStale) {
  // A panel's request that outlives a switch of data set must not be answered on the new data
  // (nor shown as an error): it is refused with its own error type.
  Trainer t(quick());
  FieldRequest f;
  f.nx = f.ny = 3;
  f.data = "gauss8";
  EXPECT_EQ(t.eval_field(f).get().learned.size(0), 9);
  f.data = "swissroll";
  EXPECT_THROW(t.eval_field(f).get(), StaleRequestError);
  SampleRequest s;
  s.sampler = "annealed";
  s.n = 10;
  s.metrics = false;
  s.data = "fashion-mnist";
  EXPECT_THROW(t.sample(s).get(), StaleRequestError);
  s.data = "";
  EXPECT_EQ(t.sample(s).get().samples.size(0), 10);
  LangevinRequest l;
  l.n = 5;
  l.exact_score = true;
  l.data = "swissroll";
  EXPECT_THROW(t.langevin(l).get(), StaleRequestError);
  l.data = "gauss8";
  EXPECT_EQ(t.langevin(l).get().result.size(0), 5);
}

TEST(Trainer, SaveLoadAndRunDirectory) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("scorelab_trainer_" + std::to_string(::getpid()));
  scorelab::testing::remove_tree(dir);
  Config c = quick();
  c.run.steps = 60;
  c.run.csv_every = 20;
  c.run.eval_every = 30;
  c.run.eval_samples = 200;
  c.sampler.steps_per_level = 5;
  {
    Trainer t(c, dir.string());
    t.resume();
    auto s = t.wait_for([](const Snapshot& s) { return s.state == RunState::finished; }, 60);
    ASSERT_EQ(s->state, RunState::finished) << s->error;
    EXPECT_EQ(s->step, 60);
    ASSERT_TRUE(s->last_eval.has_value());
    EXPECT_TRUE(s->last_eval->modes.has_value());
  }
  for (const char* f : {"config.json", "metrics.csv", "checkpoint.ckpt", "samples.png"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  }
  std::ifstream csv(dir / "metrics.csv");
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("step,wall_s,train_s,loss_dsm,sliced_w2", 0), 0u) << header;
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 3);

  Trainer u(quick());
  EXPECT_EQ(why_refused(u.load_checkpoint((dir / "checkpoint.ckpt").string())), "");
  auto s = u.snapshot();
  EXPECT_EQ(s->step, 60);
  EXPECT_EQ(s->config.run.steps, 60);
  const std::string bad = why_refused(u.load_checkpoint((dir / "metrics.csv").string()));
  EXPECT_NE(bad.find("not a scorelab checkpoint"), std::string::npos) << bad;
  EXPECT_EQ(u.snapshot()->step, 60);  // a failed load keeps the run
  const std::string nowhere = why_refused(u.save_checkpoint("/nonexistent-dir/x.ckpt"));
  EXPECT_NE(nowhere.find("save failed"), std::string::npos);
  scorelab::testing::remove_tree(dir);
}

TEST(Trainer, LangevinTraceRecordsFrames) {
  Config c = quick();
  c.sampler.levels = 3;
  c.sampler.steps_per_level = 10;
  Trainer t(c);
  LangevinRequest q;
  q.n = 50;
  q.record_every = 5;
  q.exact_score = true;
  auto tr = t.langevin(q).get();
  EXPECT_EQ(tr.frames.size(), 7u);  // steps 0, 5, …, 30
  EXPECT_EQ(tr.frame_steps.back(), 30);
  EXPECT_EQ(tr.nfe, 31);  // 30 steps + the final denoising evaluation
  EXPECT_GT(tr.frame_sigma.front(), tr.frame_sigma.back());
}

// Bug: the Controls panel sends a list as "[0,0.5,1]", which Trainer::set turned back into a
// string that the list reader refused.
TEST(Trainer, ListSettingsApplyFromTheirTextAsTheControlsSendIt) {
  Trainer t(quick());
  EXPECT_EQ(why_refused(t.set("method.alpha_fixed", "[0.25, 1]")), "");
  EXPECT_EQ(t.snapshot()->config.method.alpha_fixed, (std::vector<double>{0.25, 1}));
  EXPECT_EQ(why_refused(t.set("method.alpha_fixed", "0, 0.5")), "");
  EXPECT_EQ(t.snapshot()->config.method.alpha_fixed, (std::vector<double>{0, 0.5}));
  const std::string why = why_refused(t.set("method.alpha_fixed", "[0, 2]"));
  EXPECT_NE(why.find("method.alpha_fixed contains 2"), std::string::npos) << why;
}

// Bug: a change the method refused was already in the config and the snapshot. Now a refused
// change leaves config, snapshot and method as they were, and the run trains on.
TEST(Trainer, RefusedChangeLeavesConfigSnapshotAndMethodAsTheyWere) {
  Config c = load_preset("gauss8-smt");
  c.run.device = "cpu";
  c.run.eval_every = 0;
  c.run.log_every = 1;
  Trainer t(c);
  nlohmann::json change = {{"method", {{"alpha_sampler", "fixed"}, {"alpha_fixed", {0.0}}}}};
  const std::string why = why_refused(t.set_json(change));
  EXPECT_NE(why.find("method.alpha_fixed"), std::string::npos) << why;
  auto s = t.snapshot();
  EXPECT_EQ(s->config.method.alpha_sampler, c.method.alpha_sampler);
  EXPECT_EQ(s->config.method.alpha_fixed, c.method.alpha_fixed);
  t.step(2);
  s = t.wait_for([](const Snapshot& s) { return at_step(s, 2); }, 60);
  EXPECT_EQ(s->step, 2);
  EXPECT_TRUE(s->error.empty()) << s->error;
}

// Probes run beside training, not in its place: a long Langevin trace is still running while the
// worker takes training steps; closing the run cancels it.
TEST(Trainer, TrainingGoesOnWhileAProbeRunsAndClosingCancelsIt) {
  Config c = quick();
  c.sampler.levels = 10;
  c.sampler.steps_per_level = 200;
  auto t = std::make_unique<Trainer>(c);
  t->resume();
  t->wait_for([](const Snapshot& s) { return s.step >= 5; }, 30);
  LangevinRequest q;
  q.n = 20000;
  q.record_every = 100;
  auto trace = t->langevin(q);
  const int64_t at_request = t->snapshot()->step;
  bool trained_meanwhile = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (trace.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready &&
         std::chrono::steady_clock::now() < deadline) {
    if (t->snapshot()->step >= at_request + 30) {
      trained_meanwhile = true;
      break;
    }
  }
  EXPECT_TRUE(trained_meanwhile) << "no training steps while the probe ran";
  const auto closing = std::chrono::steady_clock::now();
  t.reset();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - closing).count(), 10);
  try {
    EXPECT_EQ(trace.get().result.size(0), 20000);  // it had finished
  } catch (const StaleRequestError&) {
    // cancelled by the close
  }
}

TEST(Trainer, EachRunHasItsNumberAndAClockForCurvesByTime) {
  Trainer t(quick());
  const uint64_t first = t.snapshot()->run_id;
  t.step(20);
  auto s = t.wait_for([](const Snapshot& s) { return at_step(s, 20); }, 30);
  ASSERT_EQ(s->step, 20);
  // A clock reading at every loss point, never going back.
  EXPECT_EQ(s->clock.steps, s->losses.at(0).steps);
  ASSERT_EQ(s->clock.values.size(), 4u);  // steps 5, 10, 15, 20
  for (size_t k = 1; k < s->clock.values.size(); ++k) {
    EXPECT_GE(s->clock.values[k], s->clock.values[k - 1]);
  }
  EXPECT_LE(s->clock.values.back(), s->wall_seconds);
  EXPECT_EQ(s->run_id, first);  // steps do not make a new run
  t.reset();
  s = t.wait_for([&](const Snapshot& s) { return s.run_id != first; }, 30);
  EXPECT_GT(s->run_id, first);
  EXPECT_TRUE(s->clock.steps.empty());
}
