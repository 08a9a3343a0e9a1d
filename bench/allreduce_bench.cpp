#include "allreduce_bench.h"

#include <torch/torch.h>

#include <cstdio>
#include <vector>

#include "bench_util.h"
#include "common/device.h"
#include "common/error.h"
#include "parallel/communicator.h"
#include "parallel/dist_env.h"
#include "settings/presets.h"
#include "train/run_parts.h"

namespace scorelab::bench {

namespace {

// Median milliseconds of one all-reduce of `floats` float32, every call started in lockstep.
double time_allreduce(Communicator& comm, int64_t floats, double seconds, int64_t& calls) {
  auto t = torch::ones({floats}, torch::TensorOptions().device(comm.device()));
  for (int i = 0; i < 20; ++i) comm.average(t, "warm-up");
  // Every rank runs the same number of rounds: rank 0 decides how many fit in `seconds`.
  comm.barrier("start");
  auto probe = Clock::now();
  for (int i = 0; i < 20; ++i) comm.average(t, "probe");
  sync(comm.device());
  auto rounds = torch::full({1}, static_cast<int64_t>(20 * seconds / std::max(1e-6, since(probe))),
                            torch::TensorOptions().dtype(torch::kLong).device(comm.device()));
  comm.broadcast(rounds, 0, "rounds");
  calls = std::max<int64_t>(20, rounds.to(torch::kCPU).item<int64_t>());
  std::vector<double> ms;
  for (int64_t i = 0; i < calls; ++i) {
    comm.barrier("lockstep");  // each timed call starts with every rank there: no waiting inside
    const auto t0 = Clock::now();
    comm.average(t, "timed");
    sync(comm.device());
    ms.push_back(1e3 * since(t0));
  }
  return median(ms);
}

}  // namespace

int print_allreduce_time(const std::string& preset, const std::string& device, double seconds) {
  const DistEnv env = DistEnv::from_environment();
  if (!env.distributed()) {
    throw ConfigError(
        "--allreduce runs as the ranks of a data-parallel run: start one per rank with RANK, "
        "WORLD_SIZE, MASTER_ADDR, MASTER_PORT set (scripts/bench-dist.sh does)");
  }
  const torch::Device dev = resolve_device(
      device == "cuda" || device == "auto" ? "cuda:" + std::to_string(env.local_rank) : device);
  Communicator comm(env, "auto", dev.is_cuda() ? "cuda" : "cpu", std::chrono::seconds(120));
  Config c = load_preset(preset);
  c.run.device = dev.str();
  RunParts run = build_run(c);
  for (auto* net : run.method->networks()) {
    const int64_t floats = net->params().data().numel();
    int64_t calls = 0;
    const double ms = time_allreduce(comm, floats, seconds, calls);
    if (env.rank == 0) {
      std::printf(
          "%s %s: all-reduce (mean) of %lld float32 (%.1f KB) over %d ranks, %s on %s: "
          "median %.3f ms (%lld calls)\n",
          preset.c_str(), net->name().c_str(), static_cast<long long>(floats), floats * 4 / 1024.0,
          env.world, comm.backend().c_str(), describe_device(dev).c_str(), ms,
          static_cast<long long>(calls));
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace scorelab::bench
