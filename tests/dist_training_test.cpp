// Data-parallel training end to end: two real ranks (this binary started again, or the CLI's
// own launcher) against one process fed the same samples, a rank killed mid-run, a checkpoint
// of two ranks resumed by one, ranks whose configs differ.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/rng.h"
#include "dist_launch.h"
#include "methods/method.h"
#include "optim/trainable_network.h"
#include "parallel/communicator.h"
#include "parallel/data_parallel.h"
#include "settings/presets.h"
#include "temp_dir.h"
#include "train/checkpoint.h"
#include "train/run_parts.h"
#include "train/trainer.h"

using namespace scorelab;
using scorelab::testing::run_ranks;

namespace {

constexpr int kSteps = 20;
constexpr int64_t kBatch = 16;  // per rank

Config small(const std::string& preset, int64_t batch) {
  Config c = load_preset(preset);
  c.optim.batch = batch;
  c.run.device = "cpu";
  c.run.threads = 1;
  return c;
}

// Every network's flat parameters and EMA weights, in order.
std::vector<torch::Tensor> weights_of(Method& m) {
  std::vector<torch::Tensor> out;
  for (auto* net : m.networks()) {
    out.push_back(net->params().data().clone());
    if (net->ema()) out.push_back(net->ema()->data().clone());
  }
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

// A worker: trains kSteps of a preset as a rank of a data-parallel run, recording every random
// draw, and saves the draws and the final weights for Dist.TwoRanksTrainLikeOneProcess.
TEST(DistWorker, DISABLED_TrainAndRecordDraws) {
  const std::string preset = std::getenv("SCORELAB_TEST_PRESET");
  const std::string out = std::getenv("SCORELAB_TEST_OUT");
  Communicator comm(DistEnv::from_environment(), "gloo", "cpu", std::chrono::seconds(60));
  RunParts p = build_run(small(preset, kBatch));
  p.rng->reseed(Rng::stream_seed(p.config.run.seed, comm.rank()));  // as the Trainer does
  std::vector<torch::Tensor> draws;
  p.rng->set_tap([&](torch::Tensor t) {
    draws.push_back(t.clone());
    return t;
  });
  make_data_parallel(*p.method, comm);
  std::vector<torch::Tensor> losses;
  for (int i = 0; i < kSteps; ++i) p.method->step(losses);
  const std::string r = std::to_string(comm.rank());
  torch::save(draws, out + "/draws" + r + ".pt");
  torch::save(weights_of(*p.method), out + "/weights" + r + ".pt");
}

class TwoRanksTrainLikeOneProcess : public ::testing::TestWithParam<std::string> {};

// 2 ranks x batch b for 20 steps end with the weights of 1 process x batch 2b whose draws are
// the two ranks' draws side by side (each draw's rows: rank 0's, then rank 1's).
TEST_P(TwoRanksTrainLikeOneProcess, SameWeightsAsOneProcessOnTheUnion) {
  if (!distributed_available()) GTEST_SKIP() << "built without c10d Gloo";
  scorelab::testing::TempDir dir("dist-eq");
  const std::string out = dir.path().string();
  const std::vector<std::string> env = {"SCORELAB_TEST_PRESET=" + GetParam(),
                                        "SCORELAB_TEST_OUT=" + out};
  auto ranks = run_ranks("DistWorker.DISABLED_TrainAndRecordDraws", 2, {env, env}, out, 300);
  for (int r = 0; r < 2; ++r) {
    ASSERT_EQ(ranks[r].status, 0) << "rank " << r << ":\n" << ranks[r].output;
  }
  std::vector<torch::Tensor> d0, d1, w0, w1;
  torch::load(d0, out + "/draws0.pt");
  torch::load(d1, out + "/draws1.pt");
  torch::load(w0, out + "/weights0.pt");
  torch::load(w1, out + "/weights1.pt");
  ASSERT_EQ(d0.size(), d1.size());
  ASSERT_GT(d0.size(), 2u * kSteps);  // data and noise at every step
  // The two ranks drew different samples and ended with identical weights.
  EXPECT_FALSE(torch::equal(d0.front(), d1.front()));
  for (size_t i = 0; i < w0.size(); ++i) EXPECT_TRUE(torch::equal(w0[i], w1[i])) << "tensor " << i;

  RunParts one = build_run(small(GetParam(), 2 * kBatch));
  size_t k = 0;
  std::string mismatch;
  one.rng->set_tap([&](torch::Tensor t) {
    if (k >= d0.size()) {
      mismatch = "one process made more draws than the ranks";
      return t;
    }
    auto both = torch::cat({d0[k], d1[k]}, 0);
    ++k;
    if (both.sizes() != t.sizes()) {
      std::ostringstream s;
      s << "draw " << k - 1 << ": one process drew " << t.sizes() << ", the ranks "
        << d0[k - 1].sizes() << " each";
      mismatch = s.str();
      return t;
    }
    return both;
  });
  std::vector<torch::Tensor> losses;
  for (int i = 0; i < kSteps; ++i) one.method->step(losses);
  ASSERT_TRUE(mismatch.empty()) << mismatch;
  EXPECT_EQ(k, d0.size());
  const auto w = weights_of(*one.method);
  ASSERT_EQ(w.size(), w0.size());
  for (size_t i = 0; i < w.size(); ++i) {
    const double diff = (w[i] - w0[i]).abs().max().item<double>();
    const double scale = w[i].abs().max().item<double>();
    // float32 sums in another order, through 20 Adam steps: far below one step's size.
    EXPECT_LT(diff, 2e-5 * std::max(1.0, scale)) << GetParam() << " tensor " << i;
  }
  // ... and they trained: the weights left their start.
  RunParts start = build_run(small(GetParam(), 2 * kBatch));
  const auto w_start = weights_of(*start.method);
  EXPECT_GT((w.front() - w_start.front()).abs().max().item<double>(), 1e-3);
}

INSTANTIATE_TEST_SUITE_P(Dist, TwoRanksTrainLikeOneProcess,
                         ::testing::Values("swissroll-dsm", "swissroll-smt"), [](const auto& info) {
                           std::string n = info.param;
                           for (auto& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

// A worker: builds a Trainer whose config differs on rank 1.
TEST(DistWorker, DISABLED_ConfigsMustMatch) {
  auto comm = std::make_shared<Communicator>(DistEnv::from_environment(), "gloo", "cpu",
                                             std::chrono::seconds(60));
  Config c = small("swissroll-dsm", kBatch);
  if (comm->rank() == 1) c.optim.lr_score *= 2;
  try {
    Trainer t(c, "", comm);
    ADD_FAILURE() << "ranks with different configs trained together";
  } catch (const DistError& e) {
    std::printf("refused: %s\n", e.what());
  }
}

TEST(Dist, RanksWithDifferentConfigsAreRefusedByName) {
  if (!distributed_available()) GTEST_SKIP() << "built without c10d Gloo";
  scorelab::testing::TempDir dir("dist-cfg");
  auto r = run_ranks("DistWorker.DISABLED_ConfigsMustMatch", 2, {}, dir.path().string(), 120);
  for (int k = 0; k < 2; ++k) {
    EXPECT_EQ(r[k].status, 0) << r[k].output;
    EXPECT_NE(r[k].output.find("refused: rank " + std::to_string(k) +
                               ": rank 1's config differs from rank 0's"),
              std::string::npos)
        << r[k].output;
  }
}

namespace {

// Starts scorelab-cli with its output in `log`; returns its pid.
pid_t spawn_cli(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> a = {SCORELAB_CLI_PATH};
  a.insert(a.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& x : a) argv.push_back(x.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  posix_spawn(&pid, a[0].c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

// Waits up to timeout_s for the process; its exit status, or -1 (killed, or still running).
int wait_exit(pid_t pid, double timeout_s) {
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  while (std::chrono::steady_clock::now() < end) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

}  // namespace

TEST(Dist, TwoLocalRanksTrainToTheirTimeLimit) {
  if (!distributed_available()) GTEST_SKIP() << "built without c10d Gloo";
  scorelab::testing::TempDir dir("dist-cli");
  const std::string out = dir.file("run"), log = dir.file("log");
  // A time limit is rank 0's decision (the ranks' clocks differ); every rank finishes with it.
  const pid_t pid = spawn_cli({"train", "--nproc", "2", "--preset", "swissroll-smt", "--seconds",
                               "4", "--set", "run.eval_every=0", "--out", out},
                              log);
  const int code = wait_exit(pid, 240);
  const std::string text = read_text(log);
  ASSERT_EQ(code, 0) << text;
  EXPECT_NE(text.find("2 ranks (gloo); effective batch"), std::string::npos) << text;
  const Checkpoint ck = read_checkpoint(out + "/checkpoint.ckpt");
  EXPECT_GT(ck.step, 10);
  EXPECT_NE(read_text(out + "/metrics.csv").find('\n'), std::string::npos);
}

// Rank 1 is killed mid-run: rank 0 stops within run.dist_timeout naming what failed, the
// launcher names the dead rank and exits 1, and the checkpoint loads - on one rank, which trains
// on from it.
TEST(Dist, KillingARankStopsTheOtherAndItsCheckpointResumesOnOneRank) {
  if (!distributed_available()) GTEST_SKIP() << "built without c10d Gloo";
  scorelab::testing::TempDir dir("dist-kill");
  const std::string out = dir.file("run"), log = dir.file("log");
  const pid_t pid = spawn_cli({"train", "--nproc", "2", "--preset", "swissroll-dsm", "--seconds",
                               "600", "--set", "run.checkpoint_every=50", "--set",
                               "run.dist_timeout=20", "--set", "run.eval_every=0", "--out", out},
                              log);
  // Wait for a periodic checkpoint, then kill rank 1.
  pid_t rank1 = -1;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < give_up) {
    const std::string text = read_text(log);
    const auto at = text.find("rank 1 pid ");
    if (at != std::string::npos && std::filesystem::exists(out + "/checkpoint.ckpt")) {
      rank1 = std::stoi(text.substr(at + 11));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_GT(rank1, 0) << read_text(log);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(kill(rank1, SIGKILL), 0);
  const auto t0 = std::chrono::steady_clock::now();
  const int code = wait_exit(pid, 60);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string text = read_text(log);
  EXPECT_EQ(code, 1) << text;
  EXPECT_LT(took, 20.0) << text;  // within run.dist_timeout
  EXPECT_NE(text.find("rank 1 (of 2) was killed by signal 9"), std::string::npos) << text;
  // Whichever collective rank 0 was in when rank 1 died (gradients, losses, commands).
  EXPECT_NE(text.find("training stopped: "), std::string::npos) << text;
  EXPECT_NE(text.find("rank 0: "), std::string::npos) << text;
  EXPECT_NE(text.find(" failed (another rank died"), std::string::npos) << text;
  EXPECT_NE(text.find("(its last checked state)"), std::string::npos) << text;
  // The periodic checkpoint stays; the last checked state goes beside it (a failed run never
  // replaces a checkpoint).
  EXPECT_NE(text.find("/checkpoint.ckpt (step "), std::string::npos) << text;
  EXPECT_NE(text.find("is kept; the last checked state, step "), std::string::npos) << text;

  const std::string ck_path = out + "/stopped.ckpt";
  const Checkpoint ck = read_checkpoint(ck_path);
  ASSERT_GE(ck.step, read_checkpoint(out + "/checkpoint.ckpt").step);
  Trainer one(ck.config);
  one.load_checkpoint(ck_path).get();
  one.step(20);
  auto s = one.wait_for([&](const Snapshot& x) { return x.step >= ck.step + 20; }, 120);
  EXPECT_EQ(s->step, ck.step + 20) << s->error;
  EXPECT_TRUE(s->error.empty()) << s->error;
  ASSERT_FALSE(s->losses.empty());
  EXPECT_TRUE(std::isfinite(s->losses.front().last()));
}

// A worker: rank 0 alone is driven (steps, a live setting, a NaN); every rank ends at the same
// step with the same setting and weights, paused by the NaN with the same message.
TEST(DistWorker, DISABLED_RanksFollowRankZero) {
  const std::string out = std::getenv("SCORELAB_TEST_OUT");
  auto comm = std::make_shared<Communicator>(DistEnv::from_environment(), "gloo", "cpu",
                                             std::chrono::seconds(60));
  Config c = small("swissroll-dsm", kBatch);
  c.run.log_every = 5;
  Trainer t(c, "", comm);
  if (comm->rank() == 0) {
    // Commands apply between steps as they come: each waits for the steps before it.
    auto at = [&](int64_t n) { t.wait_for([n](const Snapshot& x) { return x.step >= n; }, 120); };
    t.step(30);
    at(30);
    t.set("optim.lr_score", "0.0003").get();
    t.step(20);
    at(50);
    t.inject_nan();
    t.step(5);
  }
  auto s = t.wait_for([](const Snapshot& x) { return x.state == RunState::error; }, 120);
  std::printf("rank %d: step %lld lr_score %g error: %s\n", comm->rank(),
              static_cast<long long>(s->step), s->config.optim.lr_score, s->error.c_str());
  FieldRequest q;
  q.exact = false;
  const FieldResult f = t.eval_field(q).get();
  torch::save(std::vector<torch::Tensor>{f.learned},
              out + "/field" + std::to_string(comm->rank()) + ".pt");
}

TEST(Dist, EveryRankAppliesRankZerosCommandsAtTheSameStep) {
  if (!distributed_available()) GTEST_SKIP() << "built without c10d Gloo";
  scorelab::testing::TempDir dir("dist-follow");
  const std::string out = dir.path().string();
  const std::vector<std::string> env = {"SCORELAB_TEST_OUT=" + out};
  auto r = run_ranks("DistWorker.DISABLED_RanksFollowRankZero", 2, {env, env}, out, 300);
  for (int k = 0; k < 2; ++k) {
    ASSERT_EQ(r[k].status, 0) << r[k].output;
    // The NaN of step 51 restored step 50 on both ranks, the first to find it named.
    EXPECT_NE(
        r[k].output.find("rank " + std::to_string(k) + ": step 50 lr_score 0.0003 error: rank 0: "),
        std::string::npos)
        << r[k].output;
    EXPECT_NE(r[k].output.find("restored the state of step 50"), std::string::npos) << r[k].output;
  }
  std::vector<torch::Tensor> f0, f1;
  torch::load(f0, out + "/field0.pt");
  torch::load(f1, out + "/field1.pt");
  EXPECT_TRUE(torch::equal(f0.at(0), f1.at(0)));
}
