#include "train/probe_worker.h"

#include <torch/torch.h>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "common/error.h"
#include "common/rng.h"
#include "data/dataset.h"
#include "methods/method.h"
#include "sample/probes.h"
#include "train/run_parts.h"

namespace scorelab {

namespace {

void lower_this_threads_priority(int nice) {
#if defined(__linux__)
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice);
#else
  (void)nice;
#endif
}

const std::string& asked_data(const Probe& p) {
  return std::visit([](const auto& job) -> const std::string& { return job.request.data; }, p);
}

void refuse(Probe& p, std::exception_ptr e) {
  std::visit([&](auto& job) { job.done->set_exception(e); }, p);
}

}  // namespace

// The model the probes evaluate: built like the training method from the copy's config, then
// given the copy's weights whenever they changed.
struct ProbeWorker::Replica {
  std::shared_ptr<const ModelCopy> model;  // keeps the data set alive for the method
  std::unique_ptr<Rng> rng;  // the method's training stream: unused by probes, so on the CPU
                             // (a CUDA Rng would reseed the device's generator training draws from)
  std::unique_ptr<Method> method;

  explicit Replica(std::shared_ptr<const ModelCopy> copy) : model(std::move(copy)) {
    rng = std::make_unique<Rng>(static_cast<uint64_t>(model->config.run.seed), torch::kCPU);
    MethodContext ctx;
    ctx.config = model->config;
    ctx.device = model->device;
    ctx.data = model->data.get();
    ctx.rng = rng.get();
    ctx.sigma_data = model->sigma_data;
    method = make_method(ctx);
    load(model);
  }

  void load(std::shared_ptr<const ModelCopy> copy) {
    method->update_hyperparams(copy->config);  // live settings may have changed too
    auto nets = method->networks();
    for (size_t i = 0; i < nets.size(); ++i) copy_network_state(copy->networks.at(i), *nets[i]);
    model = std::move(copy);
  }
};

std::shared_ptr<const ModelCopy> copy_model(const Run& run, uint64_t run_id, uint64_t version,
                                            int64_t step) {
  auto m = std::make_shared<ModelCopy>(ModelCopy{run_id,
                                                 version,
                                                 step,
                                                 run.config,
                                                 run.device,
                                                 run.sigma_data,
                                                 run.data,
                                                 run.real_reference,
                                                 {}});
  for (auto* net : run.method->networks()) {
    m->networks.push_back(capture_network(*net, run.device, /*with_optimizer=*/false));
  }
  return m;
}

bool quick_probe(const Probe& probe, bool has_generator) {
  if (std::holds_alternative<FieldJob>(probe)) return true;
  if (const auto* s = std::get_if<SampleJob>(&probe)) {
    return s->request.sampler == "onestep" || (s->request.sampler == "auto" && has_generator);
  }
  return false;
}

// The probe threads' priority (a Linux nice value) and share of wall time. On two cores,
// training has one and the UI and the probes share the other: quick probes at a little lower
// priority than the UI, Langevin at a lower one, each capped so that training keeps ≥ 70% of its
// speed with the app open (`scorelab --bench-frames`). With four cores or more there is a core to
// spare for them.
ProbeWorker::ProbeWorker(ProbeLane lane)
    : nice_(lane == ProbeLane::quick ? 3 : 8),
      duty_(std::thread::hardware_concurrency() >= 4 ? 1.0
            : lane == ProbeLane::quick               ? 0.4
                                                     : 0.3),
      thread_([this] { loop(); }) {}

void ProbeWorker::pace() {
  const double busy = seconds_since(busy_since_);
  if (duty_ < 1 && busy > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(busy * (1 - duty_) / duty_));
  }
  busy_since_ = Clock::now();
}

ProbeWorker::~ProbeWorker() {
  auto left = queue_.close();
  thread_.join();
  for (auto& [model, probe] : left) {
    refuse(probe, std::make_exception_ptr(StaleRequestError("the run was closed")));
  }
}

void ProbeWorker::post(std::shared_ptr<const ModelCopy> model, Probe probe) {
  newest_run_ = std::max(newest_run_.load(), model->run_id);
  queue_.post({std::move(model), std::move(probe)});
}

void ProbeWorker::loop() {
  lower_this_threads_priority(nice_);
  while (true) {
    auto batch = queue_.take(std::chrono::milliseconds(-1));
    if (queue_.closed()) return;  // the destructor answers what was left
    for (auto& [model, probe] : batch) {
      busy_since_ = Clock::now();
      try {
        run(model, probe);
      } catch (...) {
        refuse(probe, std::current_exception());
      }
      pace();
    }
  }
}

void ProbeWorker::run(const std::shared_ptr<const ModelCopy>& model, Probe& probe) {
  const std::string& asked = asked_data(probe);
  if (!asked.empty() && asked != model->config.data.name) {
    throw StaleRequestError("request for " + asked + ": the run now trains on " +
                            model->config.data.name);
  }
  auto outdated = [this, id = model->run_id] { return queue_.closed() || newest_run_ != id; };
  if (outdated()) throw StaleRequestError("request for a run that was replaced");
  if (!replica_ || replica_->model->run_id != model->run_id) {
    replica_.reset();  // the old run's networks go first
    replica_ = std::make_unique<Replica>(model);
  } else if (replica_->model->version != model->version) {
    replica_->load(model);
  }
  torch::NoGradGuard no_grad;
  auto between_steps = [this, &outdated] {
    if (outdated()) throw StaleRequestError("probe of a run that was replaced");
    pace();
  };
  const ProbeInputs in{*replica_->method,     *model->data, model->config,
                       model->real_reference, model->step,  between_steps};
  std::visit(
      [&](auto& job) {
        using Job = std::decay_t<decltype(job)>;
        if constexpr (std::is_same_v<Job, FieldJob>) {
          job.done->set_value(evaluate_field(in, job.request));
        } else if constexpr (std::is_same_v<Job, SampleJob>) {
          job.done->set_value(draw_request(in, job.request));
        } else {
          job.done->set_value(record_langevin(in, job.request));
        }
      },
      probe);
}

}  // namespace scorelab
