#pragma once
// The collectives data-parallel training needs, over PyTorch's own distributed engine (c10d):
// a TCPStore rendezvous at MASTER_ADDR:MASTER_PORT, then Gloo (CPU tensors) or NCCL (CUDA
// tensors, in CUDA builds of libtorch). Every failure - a peer that died or hung past the
// timeout, a port in use, a rendezvous that never completes - is a DistError naming this rank
// and what it was doing.
#include <torch/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "parallel/dist_env.h"

namespace scorelab {

struct DistError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// True when this libtorch build has c10d with Gloo (and scorelab was built with its headers).
bool distributed_available();
// "gloo", or "gloo, nccl" in CUDA builds: the backends this build can use.
std::string distributed_backends();

class Communicator {
 public:
  // backend: "auto" (NCCL for CUDA devices when built in, else Gloo), "gloo" or "nccl". Blocks
  // until every rank has joined or the timeout passes.
  Communicator(const DistEnv& env, const std::string& backend, const std::string& device_type,
               std::chrono::milliseconds timeout);
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int rank() const { return env_.rank; }
  int world() const { return env_.world; }
  const std::string& backend() const { return backend_; }
  // Where the collectives' tensors live: the CPU for Gloo, this rank's GPU for NCCL.
  torch::Device device() const;

  // In place: the mean over ranks (sum, then divided by the world size).
  void average(torch::Tensor& t, const std::string& what);
  // In place: the sum over ranks.
  void sum(torch::Tensor& t, const std::string& what);
  // In place: root's values on every rank.
  void broadcast(torch::Tensor& t, int root, const std::string& what);
  // In place: root's text on every rank (its length first, then its bytes).
  void broadcast_text(std::string& text, int root, const std::string& what);
  // Every rank's value, in rank order.
  std::vector<int64_t> all_gather(int64_t value, const std::string& what);
  void barrier(const std::string& what);

  // What the collectives cost so far, all-reduces (gradients, losses) apart from broadcasts
  // (weights, rank 0's commands): calls, seconds in them (the transfer and any wait for slower
  // ranks) and bytes of the tensors.
  struct Cost {
    int64_t calls = 0;
    double seconds = 0;
    int64_t bytes = 0;
  };
  Cost all_reduce_cost() const;
  Cost broadcast_cost() const;

 private:
  struct Counter {
    std::atomic<int64_t> calls{0}, nanos{0}, bytes{0};
    void add(const torch::Tensor& t, std::chrono::steady_clock::time_point since);
    Cost read() const;
  };
  Counter reduces_, broadcasts_;
  struct Impl;
  DistEnv env_;
  std::string backend_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace scorelab
