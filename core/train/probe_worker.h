#pragma once
// The Trainer's probes — score fields, samples, recorded Langevin runs the app asks for — run on
// a thread of their own, over a copy of the model's weights that the training worker takes
// between two steps (a copy costs far less than one step). The worker never waits for a probe,
// and the probe thread runs at a lower priority, so probes take their share of the cores, not
// the training thread's.
#include <atomic>
#include <future>
#include <memory>
#include <thread>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "config/config.h"
#include "optim/network_state.h"
#include "sample/requests.h"
#include "train/mailbox.h"

namespace scorelab {

class Dataset;

// The model as it was at one moment of training, with what the probes read beside it.
struct ModelCopy {
  uint64_t run_id = 0;   // changes whenever the run is rebuilt (a preset, a reset, a load)
  uint64_t version = 0;  // changes whenever the weights may have changed
  int64_t step = 0;
  Config config;
  torch::Device device = torch::kCPU;
  double sigma_data = 1;
  std::shared_ptr<const Dataset> data;
  torch::Tensor real_reference;
  std::vector<NetworkState> networks;  // weights, EMA weights and buffers; no optimizer state
};

struct Run;
// The run's model as it is now: the weights, EMA weights and buffers of its networks, copied on
// their device, with what the probes read beside them.
std::shared_ptr<const ModelCopy> copy_model(const Run& run, uint64_t run_id, uint64_t version,
                                            int64_t step);

template <class Request, class Result>
struct ProbeJob {
  Request request;
  std::shared_ptr<std::promise<Result>> done;
};
using FieldJob = ProbeJob<FieldRequest, FieldResult>;
using SampleJob = ProbeJob<SampleRequest, SampleResult>;
using LangevinJob = ProbeJob<LangevinRequest, LangevinTrace>;
using Probe = std::variant<FieldJob, SampleJob, LangevinJob>;

// Probes that take a few network evaluations (score fields, one-step samples), as opposed to
// those that take a thousand (Langevin traces and samples): they go to separate threads, so a
// field never waits behind a trace.
bool quick_probe(const Probe& probe, bool has_generator);
enum class ProbeLane { quick, slow };

class ProbeWorker {
 public:
  explicit ProbeWorker(ProbeLane lane);
  ~ProbeWorker();  // answers what is still queued with an error, then stops the thread
  ProbeWorker(const ProbeWorker&) = delete;
  ProbeWorker& operator=(const ProbeWorker&) = delete;

  // Queues a probe of `model`. A request for another data set than the model's, or one whose run
  // was replaced by a newer one before it ran, gets StaleRequestError.
  void post(std::shared_ptr<const ModelCopy> model, Probe probe);
  // The run now trained: probes of older runs are refused, a running one is cancelled.
  void current_run(uint64_t run_id) { newest_run_ = run_id; }

 private:
  struct Replica;
  void loop();
  void run(const std::shared_ptr<const ModelCopy>& model, Probe& probe);
  // After a stretch of work, sleeps so that work stays within duty_ of the wall time.
  void pace();

  Mailbox<std::pair<std::shared_ptr<const ModelCopy>, Probe>> queue_;
  std::atomic<uint64_t> newest_run_{0};  // the run_id of the latest model posted
  std::unique_ptr<Replica> replica_;     // the probe thread's own method, rebuilt per run
  int nice_;
  double duty_;
  Clock::time_point busy_since_;
  std::thread thread_;
};

}  // namespace scorelab
