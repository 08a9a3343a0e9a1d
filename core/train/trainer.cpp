#include "train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>

#include "common/device.h"
#include "common/error.h"
#include "common/process_setup.h"
#include "common/rng.h"
#include "config/config_io.h"
#include "data/gaussian_mixture.h"
#include "methods/method.h"
#include "train/checkpoint.h"
#include "train/evaluator.h"
#include "train/nan_guard.h"
#include "train/probe_worker.h"
#include "train/run_directory.h"
#include "train/run_log.h"
#include "train/run_parts.h"

namespace scorelab {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

template <class T>
using Promise = std::shared_ptr<std::promise<T>>;

namespace cmd {
struct Resume {};
struct Pause {};
struct Step {
  int64_t n;
};
struct Reset {};
struct Set {
  nlohmann::json partial;
  bool allow_reset;
  Promise<void> done;
};
struct Replace {
  Config config;
  Promise<void> done;
};
struct Save {
  std::string path;
  Promise<void> done;
};
struct Load {
  std::string path;
  Promise<void> done;
};
struct InjectNan {};
}  // namespace cmd

using Command = std::variant<cmd::Resume, cmd::Pause, cmd::Step, cmd::Reset, cmd::Set, cmd::Replace,
                             cmd::Save, cmd::Load, Probe, cmd::InjectNan>;

// Whether two configs read the same images (FID's reference statistics stay valid).
bool same_images(const DataConfig& a, const DataConfig& b) {
  return a.name == b.name && a.path == b.path && a.pad32 == b.pad32 && a.limit == b.limit;
}

Command to_command(FieldJob j) {
  return Probe(std::move(j));
}
Command to_command(SampleJob j) {
  return Probe(std::move(j));
}
Command to_command(LangevinJob j) {
  return Probe(std::move(j));
}
template <class C>
Command to_command(C c) {
  return c;
}

// A run built but not yet in use, so that a failure anywhere leaves the current one as it is.
struct NewRun {
  RunParts parts;
  std::optional<RunDirectory> dir;
};

}  // namespace

struct Trainer::Impl {
  // ---- the run, owned by the worker thread once it runs ----
  Config config;
  std::string run_dir_path;
  torch::Device device = torch::kCPU;
  std::shared_ptr<const Dataset> data;
  std::unique_ptr<Rng> rng;
  std::unique_ptr<Method> method;
  double sigma_data = 1;
  std::optional<RunDirectory> run_dir;
  torch::Tensor real_reference;  // fixed real samples: plots, empirical exact fields
  std::shared_ptr<const GaussianMixture> mixture;
  RunLog log;
  NanGuard guard;
  Evaluator eval;

  RunState state = RunState::paused;
  int64_t step_count = 0;
  int64_t pending_steps = 0;
  double train_seconds = 0;
  double wall_seconds = 0;
  std::string error, message;
  std::vector<torch::Tensor> step_losses;  // filled by method->step
  int applied_threads = 0;

  // The copy of the model the probes read: remade when the run or its weights changed.
  uint64_t run_id = 0, model_version = 0;
  std::shared_ptr<const ModelCopy> model_copy;

  // ---- shared with callers ----
  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  std::deque<Command> queue;
  bool stopping = false;

  mutable std::mutex snap_mutex;
  mutable std::condition_variable snap_cv;
  std::shared_ptr<const Snapshot> snap;
  uint64_t snap_version = 0;
  Clock::time_point last_publish = Clock::now();

  ProbeWorker probes;  // declared late: stops before the run it reads goes
  std::thread worker;

  // ------------------------------------------------------------------ setup
  NewRun prepare(const Config& c) const {
    NewRun r{build_run(c), std::nullopt};
    if (!run_dir_path.empty()) {
      r.dir.emplace(run_dir_path, r.parts.method->loss_names(),
                    Evaluator::metric_names_for(*r.parts.data));
      r.dir->write_config(c);
    }
    return r;
  }

  void commit(NewRun r) {
    const bool keep_fid =
        data && same_images(r.parts.config.data, config.data) && r.parts.device == device;
    config = r.parts.config;
    device = r.parts.device;
    method.reset();
    data = std::move(r.parts.data);
    rng = std::move(r.parts.rng);
    method = std::move(r.parts.method);
    sigma_data = r.parts.sigma_data;
    run_dir = std::move(r.dir);
    mixture = data->mixture() ? std::make_shared<const GaussianMixture>(*data->mixture()) : nullptr;
    {
      torch::NoGradGuard no_grad;
      Rng ref_rng(static_cast<uint64_t>(config.run.seed) + 1000003, torch::kCPU);
      real_reference = data->sample(data->is_image() ? 64 : 5000, ref_rng).to(torch::kCPU);
    }
    step_count = r.parts.step;
    pending_steps = 0;
    train_seconds = r.parts.train_seconds;
    wall_seconds = 0;
    error.clear();
    eval.start(*data, keep_fid);
    log = RunLog(method->loss_names(), eval.metric_names(), method->networks());
    log.restart_rates(method->networks(), train_seconds);
    guard = NanGuard{};
    guard.save(method->networks(), step_count, train_seconds, *rng);
    ++run_id;
    weights_changed();
    eval.refresh_preview(*method, *data, config, step_count, true);
  }

  void rebuild_keeping_state(const Config& c) {
    const RunState keep = state == RunState::running ? RunState::running : RunState::paused;
    commit(prepare(c));
    apply_threads();
    state = keep;
  }

  void apply_threads() {
    if (applied_threads != config.run.threads) {
      set_compute_threads(static_cast<int>(config.run.threads));
      applied_threads = static_cast<int>(config.run.threads);
    }
  }

  void weights_changed() { ++model_version; }

  // ------------------------------------------------------------------ the loop
  bool wants_to_train() const { return state == RunState::running || pending_steps > 0; }

  void loop() {
    apply_threads();
    while (true) {
      std::deque<Command> batch;
      {
        std::unique_lock<std::mutex> lock(queue_mutex);
        if (!wants_to_train() && queue.empty() && !stopping) {
          queue_cv.wait_for(lock, std::chrono::milliseconds(100));
        }
        if (stopping) break;
        batch.swap(queue);
      }
      for (auto& c : batch) std::visit([this](auto& x) { on(x); }, c);
      if (!batch.empty()) publish(true);
      if (wants_to_train()) {
        const auto t0 = Clock::now();
        train_once();
        wall_seconds += seconds_since(t0);
      }
      publish(false);
    }
  }

  void fail(const std::string& why) {
    error = why;
    state = RunState::error;
    pending_steps = 0;
    publish(true);
  }

  // Runs `f`; an exception stops the run with `what` and the reason. False then.
  template <class F>
  bool guarded(const std::string& what, F&& f) {
    try {
      f();
      return true;
    } catch (const std::exception& e) {
      fail(what + ": " + error_message(e));
      return false;
    }
  }

  void train_once() {
    const auto t0 = Clock::now();
    const bool readback_due = (step_count + 1) % config.run.log_every == 0 ||
                              (state != RunState::running && pending_steps <= 1);
    if (readback_due) {
      for (auto* net : method->networks()) net->optimizer().track_next_update();
    }
    if (!guarded("step " + std::to_string(step_count + 1) + " failed",
                 [&] { method->step(step_losses); })) {
      return;
    }
    ++step_count;
    weights_changed();
    guard.record(step_losses);
    if (pending_steps > 0) --pending_steps;
    const bool stepping_done = state != RunState::running && pending_steps == 0;
    bool ok = true;
    if (step_count % config.run.log_every == 0 || stepping_done) ok = readback();
    train_seconds += seconds_since(t0);
    if (!ok) return;
    const std::string at = "step " + std::to_string(step_count);
    if ((state == RunState::running || pending_steps == 0) && !guarded(at + ": preview", [&] {
          eval.refresh_preview(*method, *data, config, step_count, stepping_done);
        })) {
      return;
    }
    const bool checkpoint_due =
        run_dir && config.run.checkpoint_every > 0 && step_count % config.run.checkpoint_every == 0;
    if (!guarded(at, [&] {
          if (config.run.eval_every > 0 && step_count % config.run.eval_every == 0) evaluate();
          if (step_count % config.run.csv_every == 0) write_csv_row();
          if (checkpoint_due) write_checkpoint(capture(), run_dir->path("checkpoint.ckpt"));
        })) {
      return;
    }
    const bool step_limit = config.run.steps > 0 && step_count >= config.run.steps;
    const bool time_limit =
        config.run.seconds > 0 && wall_seconds + seconds_since(t0) >= config.run.seconds;
    if (state == RunState::running && (step_limit || time_limit)) finish();
  }

  // The losses since the last readback into the curves, after the NaN guard's check; after a
  // NaN the last good state comes back and the run pauses with the reason. False then.
  bool readback() {
    if (!guard.pending()) return true;
    auto nets = method->networks();
    std::string problem;
    const auto rows = guard.read(nets, method->loss_names(), step_count, problem);
    if (!rows) {
      step_count = guard.restore(nets, *rng);
      weights_changed();
      fail(problem + "; restored the state of step " + std::to_string(step_count) +
           " and paused (lower a learning rate, then resume)");
      return false;
    }
    log.add_losses(step_count, *rows);
    log.update_rates(nets, train_seconds);
    guard.save(nets, step_count, train_seconds, *rng);
    return true;
  }

  void evaluate() {
    eval.evaluate(*method, *data, config, step_count, log, run_dir ? &*run_dir : nullptr,
                  [this](const std::string& m, bool force) {
                    message = m;
                    publish(force);
                  });
  }

  void write_csv_row() {
    log.write_csv_row(run_dir ? &*run_dir : nullptr, step_count, wall_seconds, train_seconds);
  }

  void finish() {
    state = RunState::finished;
    pending_steps = 0;
    message = "finished at step " + std::to_string(step_count);
    const bool ok = guarded("finishing at step " + std::to_string(step_count), [&] {
      if (eval.last_eval_step != step_count) evaluate();
      if (log.csv_behind(step_count)) write_csv_row();
      if (run_dir) {
        write_checkpoint(capture(), run_dir->path("checkpoint.ckpt"));
        message += "; outputs in " + run_dir->dir();
      }
    });
    if (ok) publish(true);
  }

  Checkpoint capture() {
    return capture_checkpoint(*method, config, step_count, train_seconds, *rng);
  }

  // ------------------------------------------------------------------ commands
  // Publishes first, so a caller woken by the future already sees the state it caused; a
  // refusal leaves its reason as the message.
  template <class F>
  void answer(Promise<void>& done, F&& apply) {
    try {
      apply();
      publish(true);
      done->set_value();
    } catch (const std::exception& e) {
      message = error_message(e);
      publish(true);
      done->set_exception(std::current_exception());
    }
  }

  void on(cmd::Resume&) {
    if (state == RunState::finished) {
      config.run.steps = 0;
      config.run.seconds = 0;
      message = "resumed past the run's limits";
    }
    error.clear();
    state = RunState::running;
  }
  void on(cmd::Pause&) {
    if (state == RunState::running) state = RunState::paused;
    pending_steps = 0;
    readback();
  }
  void on(cmd::Step& s) {
    error.clear();
    state = RunState::paused;
    pending_steps += s.n;
  }
  void on(cmd::Reset&) {
    try {
      rebuild_keeping_state(config);
      message = "reset to step 0";
    } catch (const std::exception& e) {
      fail(std::string("reset failed: ") + error_message(e));
    }
  }
  void on(cmd::Set& s) {
    answer(s.done, [&] {
      const Config next = merge_json(config, s.partial, "setting");
      const auto needs_reset = reset_keys(config, next);
      if (!needs_reset.empty() && !s.allow_reset) {
        throw ConfigError("changing " + needs_reset.front() +
                          " needs a reset of the run (reset to apply it)");
      }
      if (!needs_reset.empty()) {
        rebuild_keeping_state(next);
      } else {
        apply_live(next);
      }
      message = "applied " + s.partial.dump();
    });
  }
  // The method takes the new settings first; when it refuses, it gets the old ones back and the
  // config stays as it was.
  void apply_live(const Config& next) {
    try {
      method->update_hyperparams(next);
    } catch (...) {
      method->update_hyperparams(config);
      throw;
    }
    config = next;
    apply_threads();
    weights_changed();  // the probes' copy carries the config too
  }
  void on(cmd::Replace& r) {
    answer(r.done, [&] {
      rebuild_keeping_state(r.config);
      message = "loaded a new configuration";
    });
  }
  void on(cmd::Save& s) {
    answer(s.done, [&] {
      try {
        if (!readback()) throw std::runtime_error(error);
        write_checkpoint(capture(), s.path);
      } catch (const std::exception& e) {
        throw IoError("save failed: " + error_message(e));
      }
      message = "saved " + s.path;
    });
  }
  void on(cmd::Load& l) {
    answer(l.done, [&] {
      NewRun r;
      try {
        Checkpoint ck = read_checkpoint(l.path);
        r = prepare(ck.config);
        restore_run(ck, r.parts);
      } catch (const std::exception& e) {
        throw CheckpointError("load failed: " + error_message(e));
      }
      commit(std::move(r));
      apply_threads();
      state = RunState::paused;
      message = "loaded " + l.path + " at step " + std::to_string(step_count);
    });
  }
  void on(Probe& p) { probes.post(current_model(), std::move(p)); }
  void on(cmd::InjectNan&) {
    torch::NoGradGuard no_grad;
    method->networks().front()->params().data()[0].fill_(std::nan(""));
    weights_changed();
  }

  // The probes' copy of the model: the weights (no optimizer state) of every network, taken
  // again only when they changed since the last copy.
  std::shared_ptr<const ModelCopy> current_model() {
    if (model_copy && model_copy->run_id == run_id && model_copy->version == model_version) {
      return model_copy;
    }
    auto c = std::make_shared<ModelCopy>();
    c->run_id = run_id;
    c->version = model_version;
    c->step = step_count;
    c->config = config;
    c->device = device;
    c->sigma_data = sigma_data;
    c->data = data;
    c->real_reference = real_reference;
    for (auto* net : method->networks()) {
      c->networks.push_back(capture_network(*net, device, /*with_optimizer=*/false));
    }
    model_copy = c;
    return c;
  }

  // ------------------------------------------------------------------ snapshots
  void publish(bool force) {
    const double min_gap = 1.0 / config.run.snapshot_hz;
    if (!force && seconds_since(last_publish) < min_gap) return;
    last_publish = Clock::now();
    auto s = std::make_shared<Snapshot>();
    s->state = state;
    s->step = step_count;
    s->train_seconds = train_seconds;
    s->wall_seconds = wall_seconds;
    s->error = error;
    s->message = message;
    s->config = config;
    s->method = method->name();
    s->device = describe_device(device);
    s->loss_names = method->loss_names();
    s->score_models = method->score_models();
    s->data_score_model = method->data_score_model();
    s->mixture_score_model = method->traits().mixture_score_model;
    s->has_generator = method->has_generator();
    s->mixture = mixture;
    s->losses = log.losses();
    s->metrics = log.metrics();
    s->rates = log.rates();
    s->last_eval = eval.last_eval;
    s->last_eval_step = eval.last_eval_step;
    s->eval_sampler = eval.eval_sampler;
    s->eval_samples = eval.eval_samples;
    s->real_samples = eval.eval_real;
    s->real_reference = real_reference;
    s->image_shape = data->image_shape();
    s->preview_images = eval.preview_images;
    s->preview_step = eval.preview_step;
    s->fid_label = eval.fid_label();
    s->fid_metric = eval.fid_metric;
    s->fid_floor_metric = eval.fid_floor_metric;
    {
      std::lock_guard<std::mutex> lock(snap_mutex);
      s->version = ++snap_version;
      snap = std::move(s);
    }
    snap_cv.notify_all();
  }

  void post(Command c) {
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      queue.push_back(std::move(c));
    }
    queue_cv.notify_one();
  }

  template <class C, class T, class... Args>
  std::future<T> request(Args&&... args) {
    auto p = std::make_shared<std::promise<T>>();
    auto f = p->get_future();
    post(to_command(C{std::forward<Args>(args)..., p}));
    return f;
  }
};

Trainer::Trainer(const Config& config, std::string run_dir) : impl_(std::make_unique<Impl>()) {
  impl_->run_dir_path = std::move(run_dir);
  impl_->commit(impl_->prepare(config));
  impl_->publish(true);
  impl_->worker = std::thread([this] { impl_->loop(); });
}

Trainer::~Trainer() {
  {
    std::lock_guard<std::mutex> lock(impl_->queue_mutex);
    impl_->stopping = true;
  }
  impl_->queue_cv.notify_one();
  if (impl_->worker.joinable()) impl_->worker.join();
}

void Trainer::resume() {
  impl_->post(cmd::Resume{});
}
void Trainer::pause() {
  impl_->post(cmd::Pause{});
}
void Trainer::step(int64_t n) {
  impl_->post(cmd::Step{n});
}
void Trainer::reset() {
  impl_->post(cmd::Reset{});
}
void Trainer::inject_nan() {
  impl_->post(cmd::InjectNan{});
}

std::future<void> Trainer::set(const std::string& key, const std::string& value, bool allow_reset) {
  try {
    return set_json(partial_setting(key, value), allow_reset);
  } catch (const ConfigError&) {
    std::promise<void> refused;
    refused.set_exception(std::current_exception());
    return refused.get_future();
  }
}

std::future<void> Trainer::set_json(const nlohmann::json& partial, bool allow_reset) {
  return impl_->request<cmd::Set, void>(partial, allow_reset);
}

std::future<void> Trainer::replace_config(const Config& config) {
  return impl_->request<cmd::Replace, void>(config);
}

std::future<void> Trainer::save_checkpoint(const std::string& path) {
  return impl_->request<cmd::Save, void>(path);
}

std::future<void> Trainer::load_checkpoint(const std::string& path) {
  return impl_->request<cmd::Load, void>(path);
}

std::future<FieldResult> Trainer::eval_field(const FieldRequest& request) {
  return impl_->request<FieldJob, FieldResult>(request);
}

std::future<SampleResult> Trainer::sample(const SampleRequest& request) {
  return impl_->request<SampleJob, SampleResult>(request);
}

std::future<LangevinTrace> Trainer::langevin(const LangevinRequest& request) {
  return impl_->request<LangevinJob, LangevinTrace>(request);
}

std::shared_ptr<const Snapshot> Trainer::snapshot() const {
  std::lock_guard<std::mutex> lock(impl_->snap_mutex);
  return impl_->snap;
}

std::shared_ptr<const Snapshot> Trainer::wait_for(const std::function<bool(const Snapshot&)>& pred,
                                                  double timeout_s) const {
  std::unique_lock<std::mutex> lock(impl_->snap_mutex);
  impl_->snap_cv.wait_for(lock, std::chrono::duration<double>(timeout_s),
                          [&] { return impl_->snap && pred(*impl_->snap); });
  return impl_->snap;
}

}  // namespace scorelab
