// Data-parallel plumbing: the launcher's environment, and c10d collectives between real
// processes (this binary started again as each rank, see dist_launch.h).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <optional>

#include "common/error.h"
#include "dist_launch.h"
#include "optim/trainable_network.h"
#include "parallel/communicator.h"
#include "parallel/data_parallel.h"
#include "temp_dir.h"

using namespace scorelab;
using scorelab::testing::run_ranks;

namespace {

// Sets environment variables for the scope of a test, restoring them after.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (const auto& [k, v] : vars) {
      const char* old = std::getenv(k);
      saved_.push_back({k, old ? std::optional<std::string>(old) : std::nullopt});
      if (v) {
        setenv(k, v, 1);
      } else {
        unsetenv(k);
      }
    }
  }
  ~ScopedEnv() {
    // Newest first: a variable set twice gets its original value back.
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      const auto& [k, v] = *it;
      if (v) {
        setenv(k.c_str(), v->c_str(), 1);
      } else {
        unsetenv(k.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

Communicator join(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  return Communicator(DistEnv::from_environment(), "auto", "cpu", timeout);
}

}  // namespace

TEST(DistEnv, ReadsTheLaunchersVariablesAndNamesABadOne) {
  {
    ScopedEnv env({{"RANK", nullptr}, {"WORLD_SIZE", nullptr}, {"MASTER_PORT", nullptr}});
    const DistEnv e = DistEnv::from_environment();
    EXPECT_EQ(e.world, 1);
    EXPECT_FALSE(e.distributed());
  }
  {
    ScopedEnv env({{"RANK", "3"},
                   {"WORLD_SIZE", "4"},
                   {"LOCAL_RANK", "1"},
                   {"MASTER_ADDR", "node7"},
                   {"MASTER_PORT", "29511"}});
    const DistEnv e = DistEnv::from_environment();
    EXPECT_EQ(e.rank, 3);
    EXPECT_EQ(e.world, 4);
    EXPECT_EQ(e.local_rank, 1);
    EXPECT_EQ(e.master_addr, "node7");
    EXPECT_EQ(e.master_port, 29511);
  }
  for (auto bad : std::vector<std::pair<const char*, const char*>>{
           {"RANK", "4"}, {"RANK", "x"}, {"MASTER_PORT", "70000"}, {"WORLD_SIZE", "0"}}) {
    ScopedEnv env({{"RANK", "1"}, {"WORLD_SIZE", "4"}, {"MASTER_PORT", "29500"}, bad});
    try {
      DistEnv::from_environment();
      ADD_FAILURE() << bad.first << "=" << bad.second << " was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(bad.first), std::string::npos) << e.what();
    }
  }
  ScopedEnv env({{"RANK", nullptr}, {"WORLD_SIZE", "2"}});
  EXPECT_THROW(DistEnv::from_environment(), ConfigError);
}

// A worker: run by Dist.CollectivesBetweenTwoProcesses as each rank.
TEST(DistWorker, DISABLED_Collectives) {
  Communicator c = join();
  const int r = c.rank();
  auto t = torch::tensor({1.0f * (r + 1), 10.0f * (r + 1)});
  c.average(t, "average");
  EXPECT_FLOAT_EQ(t[0].item<float>(), 1.5f);
  EXPECT_FLOAT_EQ(t[1].item<float>(), 15.0f);
  auto b = torch::full({3}, static_cast<float>(r == 0 ? 7 : -1));
  c.broadcast(b, 0, "broadcast");
  EXPECT_TRUE(torch::equal(b, torch::full({3}, 7.0f)));
  EXPECT_EQ(c.all_gather(100 + r, "gather"), (std::vector<int64_t>{100, 101}));
  c.barrier("barrier");
  if (std::getenv("SCORELAB_TEST_DIE")) std::_Exit(7);  // dies without a word to the others
  auto again = torch::ones({2});
  try {
    c.sum(again, "the sum after a rank died");
    if (std::getenv("SCORELAB_TEST_EXPECT_PEER_DEATH")) ADD_FAILURE() << "no error";
  } catch (const DistError& e) {
    std::printf("caught: %s\n", e.what());
    if (!std::getenv("SCORELAB_TEST_EXPECT_PEER_DEATH")) ADD_FAILURE() << e.what();
  }
}

TEST(Dist, CollectivesBetweenTwoProcesses) {
  if (!distributed_available()) GTEST_SKIP() << "built without c10d Gloo";
  scorelab::testing::TempDir dir("dist");
  auto ok = run_ranks("DistWorker.DISABLED_Collectives", 2, {}, dir.path().string(), 120);
  for (int r = 0; r < 2; ++r) EXPECT_EQ(ok[r].status, 0) << "rank " << r << ":\n" << ok[r].output;

  // Rank 1 dies after the barrier: rank 0's next collective fails, naming itself, and it
  // exits instead of waiting forever.
  auto died = run_ranks("DistWorker.DISABLED_Collectives", 2,
                        {{"SCORELAB_TEST_EXPECT_PEER_DEATH=1"}, {"SCORELAB_TEST_DIE=1"}},
                        dir.path().string(), 120);
  EXPECT_EQ(died[1].status, 7) << died[1].output;
  EXPECT_EQ(died[0].status, 0) << died[0].output;
  EXPECT_NE(died[0].output.find("caught: rank 0: the sum after a rank died failed"),
            std::string::npos)
      << died[0].output;
}

// A worker: two ranks on 8 samples each take the same AdamW steps as one process on all 16, from
// different initialisations (rank 0's weights are broadcast).
TEST(DistWorker, DISABLED_DataParallelStepsMatchOneProcessOnTheUnion) {
  Communicator c = join();
  auto make = [](uint64_t seed) {
    torch::manual_seed(seed);
    return torch::nn::Sequential(torch::nn::Linear(3, 16), torch::nn::Tanh(),
                                 torch::nn::Linear(16, 2));
  };
  AdamWHyper hyper;
  hyper.lr = 1e-2;
  hyper.grad_clip = 1.0;  // clipping sees the averaged gradient, as one process would
  auto m = make(1 + c.rank());
  TrainableNetwork net("net", m.ptr(), hyper);
  make_data_parallel({&net}, c);
  auto ref_m = make(1);
  TrainableNetwork ref("ref", ref_m.ptr(), hyper);
  EXPECT_TRUE(torch::equal(net.params().data(), ref.params().data()));
  const torch::Tensor start = net.params().data().clone();
  for (int step = 0; step < 20; ++step) {
    torch::manual_seed(100 + step);
    const auto x = torch::randn({16, 3}), y = torch::randn({16, 2});
    const auto mine = x.narrow(0, 8 * c.rank(), 8), my_y = y.narrow(0, 8 * c.rank(), 8);
    net.zero_grad();
    torch::mse_loss(m->forward(mine), my_y).backward();
    net.step();
    ref.zero_grad();
    torch::mse_loss(ref_m->forward(x), y).backward();
    ref.step();
  }
  EXPECT_TRUE(torch::allclose(net.params().data(), ref.params().data(), 1e-5, 1e-6))
      << (net.params().data() - ref.params().data()).abs().max().item<float>();
  EXPECT_GT((net.params().data() - start).abs().max().item<float>(), 1e-2);  // it trained
}

TEST(Dist, DataParallelStepsMatchOneProcessOnTheUnion) {
  if (!distributed_available()) GTEST_SKIP() << "built without c10d Gloo";
  scorelab::testing::TempDir dir("dist-dp");
  auto r = run_ranks("DistWorker.DISABLED_DataParallelStepsMatchOneProcessOnTheUnion", 2, {},
                     dir.path().string(), 120);
  for (int k = 0; k < 2; ++k) EXPECT_EQ(r[k].status, 0) << "rank " << k << ":\n" << r[k].output;
}

TEST(Dist, ARendezvousNobodyJoinsTimesOutByName) {
  if (!distributed_available()) GTEST_SKIP() << "built without c10d Gloo";
  const std::string port = std::to_string(scorelab::testing::free_port());
  ScopedEnv env({{"RANK", "0"},
                 {"WORLD_SIZE", "2"},
                 {"MASTER_ADDR", "127.0.0.1"},
                 {"MASTER_PORT", port.c_str()}});
  try {
    join(std::chrono::milliseconds(1500));
    ADD_FAILURE() << "a world of 2 started with one rank";
  } catch (const DistError& e) {
    EXPECT_NE(std::string(e.what()).find("rank 0 of 2: rendezvous at 127.0.0.1:" + port),
              std::string::npos)
        << e.what();
  }
}
