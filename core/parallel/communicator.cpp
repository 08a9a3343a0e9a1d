#include "parallel/communicator.h"

#include <torch/torch.h>

#include "common/error.h"

#ifdef SCORELAB_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#endif

namespace scorelab {

bool distributed_available() {
#ifdef SCORELAB_HAVE_GLOO
  return true;
#else
  return false;
#endif
}

std::string distributed_backends() {
#if defined(SCORELAB_HAVE_GLOO) && defined(USE_C10D_NCCL)
  return "gloo, nccl";
#elif defined(SCORELAB_HAVE_GLOO)
  return "gloo";
#else
  return "";
#endif
}

#ifdef SCORELAB_HAVE_GLOO

namespace {

std::vector<uint8_t> bytes_of(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

// Every rank states its WORLD_SIZE in the store; rank 0 waits for ranks 1..W-1, the others for
// rank 0, and a rank whose idea of the world differs from rank 0's says so by number.
void check_world(c10d::Store& store, const DistEnv& env, std::chrono::milliseconds timeout,
                 const std::string& where) {
  const std::string mine = std::to_string(env.world);
  std::vector<std::string> wanted;
  try {
    store.set("scorelab/world/" + std::to_string(env.rank), bytes_of(mine));
    if (env.rank == 0) {
      for (int r = 1; r < env.world; ++r) wanted.push_back("scorelab/world/" + std::to_string(r));
    } else {
      wanted.push_back("scorelab/world/0");
    }
    store.wait(wanted, timeout);
  } catch (const std::exception& e) {
    std::string missing;
    for (const auto& k : wanted) {
      bool there = false;
      try {
        there = store.check({k});
      } catch (const std::exception&) {
      }
      if (!there) missing += (missing.empty() ? "" : ", ") + k.substr(k.rfind('/') + 1);
    }
    throw DistError(where + ": waited run.dist_timeout for rank" +
                    (wanted.size() > 1 ? "s " : " ") + (missing.empty() ? "?" : missing) +
                    " (WORLD_SIZE=" + mine + " here): " + error_message(e));
  }
  for (const auto& k : wanted) {
    const auto v = store.get(k);
    const std::string theirs(v.begin(), v.end());
    if (theirs != mine) {
      throw DistError("rank " + std::to_string(env.rank) + ": WORLD_SIZE is " + mine +
                      " here but " + theirs + " on rank " + k.substr(k.rfind('/') + 1) +
                      "; every rank must be started with the same WORLD_SIZE");
    }
  }
  if (env.rank >= env.world) {
    throw DistError("RANK " + std::to_string(env.rank) + " is not below WORLD_SIZE " + mine);
  }
}

}  // namespace

struct Communicator::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  // ProcessGroupGloo and ProcessGroupNCCL share these calls in 1.13 and 2.x alike; a function
  // per collective keeps the rest of the file free of the backend's type.
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#ifdef USE_C10D_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif
  torch::Device device{torch::kCPU};

  template <class F>
  auto with_group(F&& f) {
#ifdef USE_C10D_NCCL
    if (nccl) return f(*nccl);
#endif
    return f(*gloo);
  }
};

Communicator::Communicator(const DistEnv& env, const std::string& backend,
                           const std::string& device_type, std::chrono::milliseconds timeout)
    : env_(env), impl_(std::make_unique<Impl>()) {
  const bool cuda = device_type == "cuda";
  if (backend == "auto") {
#ifdef USE_C10D_NCCL
    backend_ = cuda ? "nccl" : "gloo";
#else
    backend_ = "gloo";
#endif
  } else if (backend == "gloo" || backend == "nccl") {
    backend_ = backend;
  } else {
    throw ConfigError("run.backend = " + backend + ": expected auto, gloo or nccl");
  }
#ifndef USE_C10D_NCCL
  if (backend_ == "nccl") {
    throw ConfigError(
        "run.backend = nccl: this libtorch has no NCCL (a CUDA build of libtorch "
        "has); use gloo or auto");
  }
#endif
  if (backend_ == "nccl" && !cuda) {
    throw ConfigError("run.backend = nccl needs run.device = cuda; use gloo on the CPU");
  }
  const std::string where = "rank " + std::to_string(env.rank) + " of " +
                            std::to_string(env.world) + ": rendezvous at " + env.master_addr + ":" +
                            std::to_string(env.master_port) + " failed";
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(env.master_port);
    so.isServer = env.rank == 0;
    so.numWorkers = env.world;
    so.waitWorkers = false;  // check_world below says who is missing
    so.timeout = timeout;
    impl_->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
  } catch (const std::exception& e) {
    throw DistError(where + " (" + (env.rank == 0 ? "port in use, or " : "no rank 0 there, or ") +
                    "not every rank joined within run.dist_timeout): " + error_message(e));
  }
  check_world(*impl_->store, env, timeout, where);
  try {
#ifdef USE_C10D_NCCL
    if (backend_ == "nccl") {
      impl_->device = torch::Device(torch::kCUDA, env.local_rank);
      auto o = c10d::ProcessGroupNCCL::Options::create();
      o->timeout = timeout;
      impl_->nccl =
          c10::make_intrusive<c10d::ProcessGroupNCCL>(impl_->store, env.rank, env.world, o);
      return;
    }
#endif
    auto o = c10d::ProcessGroupGloo::Options::create(timeout);
    o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(
        env.master_addr == "localhost" ? "127.0.0.1" : env.master_addr));
    impl_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, env.rank, env.world, o);
  } catch (const std::exception& e) {
    throw DistError(where + " while starting " + backend_ +
                    " (not every rank joined within run.dist_timeout): " + error_message(e));
  }
}

Communicator::~Communicator() = default;

torch::Device Communicator::device() const {
  return impl_->device;
}

void Communicator::Counter::add(const torch::Tensor& t,
                                std::chrono::steady_clock::time_point since) {
  ++calls;
  nanos +=
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - since)
          .count();
  bytes += static_cast<int64_t>(t.numel() * t.element_size());
}

Communicator::Cost Communicator::Counter::read() const {
  return {calls.load(), nanos.load() * 1e-9, bytes.load()};
}

Communicator::Cost Communicator::all_reduce_cost() const {
  return reduces_.read();
}

Communicator::Cost Communicator::broadcast_cost() const {
  return broadcasts_.read();
}

namespace {

[[noreturn]] void rethrow(const DistEnv& env, const std::string& what, const std::exception& e) {
  throw DistError("rank " + std::to_string(env.rank) + ": " + what +
                  " failed (another rank died, hung past run.dist_timeout, or runs another "
                  "config): " +
                  error_message(e));
}

}  // namespace

void Communicator::sum(torch::Tensor& t, const std::string& what) {
  try {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<at::Tensor> ts = {t};
    impl_->with_group([&](auto& g) { return g.allreduce(ts)->wait(); });
    reduces_.add(t, t0);
  } catch (const std::exception& e) {
    rethrow(env_, what, e);
  }
}

void Communicator::average(torch::Tensor& t, const std::string& what) {
  sum(t, what);
  t.div_(env_.world);
}

void Communicator::broadcast(torch::Tensor& t, int root, const std::string& what) {
  try {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<at::Tensor> ts = {t};
    c10d::BroadcastOptions o;
    o.rootRank = root;
    impl_->with_group([&](auto& g) { return g.broadcast(ts, o)->wait(); });
    broadcasts_.add(t, t0);
  } catch (const std::exception& e) {
    rethrow(env_, what, e);
  }
}

void Communicator::broadcast_text(std::string& text, int root, const std::string& what) {
  auto opts = torch::TensorOptions().dtype(torch::kLong).device(impl_->device);
  auto n = torch::full({1}, static_cast<int64_t>(text.size()), opts);
  broadcast(n, root, what);
  const int64_t len = n.to(torch::kCPU).item<int64_t>();
  if (len == 0) {
    text.clear();
    return;
  }
  auto bytes = torch::empty({len}, opts.dtype(torch::kByte));
  if (rank() == root) {
    bytes.copy_(torch::from_blob(text.data(), {len}, torch::kByte));
  }
  broadcast(bytes, root, what);
  if (rank() != root) {
    auto cpu = bytes.to(torch::kCPU).contiguous();
    text.assign(reinterpret_cast<const char*>(cpu.data_ptr<uint8_t>()), static_cast<size_t>(len));
  }
}

std::vector<int64_t> Communicator::all_gather(int64_t value, const std::string& what) {
  try {
    auto opts = torch::TensorOptions().dtype(torch::kLong).device(impl_->device);
    std::vector<at::Tensor> in = {torch::full({1}, value, opts)};
    std::vector<std::vector<at::Tensor>> out(1);
    for (int r = 0; r < env_.world; ++r) out[0].push_back(torch::zeros({1}, opts));
    impl_->with_group([&](auto& g) { return g.allgather(out, in)->wait(); });
    std::vector<int64_t> values;
    for (const auto& x : out[0]) values.push_back(x.to(torch::kCPU).item<int64_t>());
    return values;
  } catch (const DistError&) {
    throw;
  } catch (const std::exception& e) {
    rethrow(env_, what, e);
  }
}

void Communicator::barrier(const std::string& what) {
  try {
    impl_->with_group([&](auto& g) { return g.barrier()->wait(); });
  } catch (const std::exception& e) {
    rethrow(env_, what, e);
  }
}

#else  // no c10d Gloo in this build

struct Communicator::Impl {};

Communicator::Communicator(const DistEnv& env, const std::string&, const std::string&,
                           std::chrono::milliseconds)
    : env_(env) {
  throw ConfigError(
      "this scorelab was built without PyTorch's distributed engine (c10d with Gloo): install "
      "libgloo-dev (scripts/install-deps.sh) and rebuild, or use a libtorch that has it");
}
Communicator::~Communicator() = default;
torch::Device Communicator::device() const {
  return torch::kCPU;
}
Communicator::Cost Communicator::all_reduce_cost() const {
  return {};
}
Communicator::Cost Communicator::broadcast_cost() const {
  return {};
}
void Communicator::broadcast_text(std::string&, int, const std::string&) {}
void Communicator::sum(torch::Tensor&, const std::string&) {}
void Communicator::average(torch::Tensor&, const std::string&) {}
void Communicator::broadcast(torch::Tensor&, int, const std::string&) {}
std::vector<int64_t> Communicator::all_gather(int64_t v, const std::string&) {
  return {v};
}
void Communicator::barrier(const std::string&) {}

#endif

}  // namespace scorelab
