#include "train/trainer.h"

#include <torch/torch.h>

#include <cmath>
#include <thread>
#include <variant>

#include "common/clock.h"
#include "common/error.h"
#include "common/process_setup.h"
#include "common/rng.h"
#include "config/config_io.h"
#include "methods/method.h"
#include "parallel/communicator.h"
#include "train/checkpoint.h"
#include "train/commands.h"
#include "train/evaluator.h"
#include "train/mailbox.h"
#include "train/nan_guard.h"
#include "train/probe_worker.h"
#include "train/replication.h"
#include "train/run_log.h"
#include "train/run_parts.h"
#include "train/step_runner.h"

namespace scorelab {

struct Trainer::Impl {
  // ---- the run, owned by the worker thread once it runs ----
  Run run;  // config, device, data, Rng, method, folder, reference samples
  std::string run_dir_path;
  RunLog log;
  NanGuard guard;
  Evaluator eval;

  RunState state = RunState::paused;
  int64_t step_count = 0;
  int64_t pending_steps = 0;
  double train_seconds = 0;
  double wall_seconds = 0;
  std::string error, message;
  std::vector<torch::Tensor> step_losses;  // filled by the method's step
  std::unique_ptr<StepRunner> runner;      // eager or CUDA-graph steps of run.method
  int applied_threads = 0;

  // The copy of the model the probes read: remade when the run or its weights changed.
  uint64_t run_id = 0, model_version = 0;
  std::shared_ptr<const ModelCopy> model_copy;

  // ---- data parallel: alone unless a group was given and holds ----
  Replication ranks;
  bool distributed() const { return ranks.active(); }
  bool leader() const { return ranks.leader(); }

  // ---- shared with callers ----
  Mailbox<Command> commands;
  SnapshotChannel snapshots;
  Clock::time_point last_publish = Clock::now();

  // Declared late: they stop before the run they read goes.
  ProbeWorker quick_probes{ProbeLane::quick}, slow_probes{ProbeLane::slow};
  std::thread worker;

  // ------------------------------------------------------------------ setup
  // Puts a fully built run in place of the current one and starts its bookkeeping afresh.
  void commit(Run r) {
    const bool keep_fid =
        run.data && same_images(r.config.data, run.config.data) && r.device == run.device;
    runner.reset();      // its graph replays the old networks' kernels
    run.method.reset();  // the old networks go before the new ones are in use
    ranks.join(r);
    run = std::move(r);
    runner = std::make_unique<StepRunner>(*run.method, run.device, run.config.run.cuda_graph,
                                          distributed());
    step_count = run.step;
    pending_steps = 0;
    train_seconds = run.train_seconds;
    wall_seconds = 0;
    error.clear();
    eval.start(*run.data, run.config.run.eval_samples, keep_fid);
    log = RunLog(run.method->loss_names(), eval.metric_names(), run.method->networks());
    log.restart_rates(run.method->networks(), train_seconds);
    guard = NanGuard{};
    guard.save(run.method->networks(), step_count, train_seconds, *run.rng);
    ++run_id;
    quick_probes.current_run(run_id);
    slow_probes.current_run(run_id);
    weights_changed();
    if (leader()) eval.refresh_preview(*run.method, *run.data, run.config, step_count, true);
  }

  void rebuild_keeping_state(const Config& c) {
    const RunState keep = state == RunState::running ? RunState::running : RunState::paused;
    commit(open_run(c, run_dir_path));
    apply_threads();
    state = keep;
  }

  void apply_threads() {
    if (applied_threads != run.config.run.threads) {
      set_compute_threads(static_cast<int>(run.config.run.threads));
      applied_threads = static_cast<int>(run.config.run.threads);
    }
  }

  void weights_changed() { ++model_version; }

  // ------------------------------------------------------------------ the loop
  bool wants_to_train() const { return state == RunState::running || pending_steps > 0; }

  void loop() {
    apply_threads();
    while (true) {
      // Idle: wait for a command (up to 0.1 s at a time). Ranks > 0 wait on rank 0 instead,
      // which sends at least every 0.1 s.
      const bool wait = !wants_to_train() && !ranks.follows_leader();
      auto batch = commands.take(std::chrono::milliseconds(wait ? 100 : 0));
      bool quit = commands.closed();
      if (distributed()) quit = exchange_commands(batch, quit);
      if (quit) break;
      for (auto& c : batch) std::visit([this](auto& x) { on(x); }, c);
      if (ranks.take_finish() && state == RunState::running) finish();
      if (!batch.empty()) publish(true);
      if (wants_to_train()) {
        const auto t0 = Clock::now();
        train_once();
        wall_seconds += seconds_since(t0);
      }
      publish(false);
    }
  }

  // The commands every rank applies this round (Replication::exchange). Returns whether to end
  // the loop: rank 0 when closed; another rank when rank 0 ended the run (it then trains alone,
  // finished) or the group failed, and it is closed itself.
  bool exchange_commands(std::deque<Command>& batch, bool closed) {
    try {
      if (!ranks.exchange(batch, closed)) return leader() && closed;
      leave_group();
      if (state != RunState::finished && state != RunState::error) {
        state = RunState::finished;
        pending_steps = 0;
        message = "rank 0 ended the run at step " + std::to_string(step_count);
      }
      publish(true);
      return closed;
    } catch (const std::exception& e) {
      lose_group(error_message(e));
      return closed;
    }
  }

  void leave_group() { ranks.leave(run.method.get()); }

  // Another rank died or hung (or the collectives failed): back to the last checked state, which
  // a save then keeps, and stop with the reason.
  void lose_group(const std::string& why) {
    leave_group();
    std::string where;
    if (run.method) {
      step_count = guard.restore(run.method->networks(), *run.rng);
      weights_changed();
      where = "; stopped at step " + std::to_string(step_count) + " (its last checked state)";
    }
    fail(why + where);
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
    } catch (const DistError& e) {
      lose_group(what + ": " + error_message(e));
      return false;
    } catch (const std::exception& e) {
      fail(what + ": " + error_message(e));
      return false;
    }
  }

  void train_once() {
    const auto t0 = Clock::now();
    const bool readback_due = (step_count + 1) % run.config.run.log_every == 0 ||
                              (state != RunState::running && pending_steps <= 1);
    if (readback_due) {
      for (auto* net : run.method->networks()) net->optimizer().track_next_update();
    }
    if (!guarded("step " + std::to_string(step_count + 1) + " failed",
                 [&] { runner->step(step_losses); })) {
      return;
    }
    ++step_count;
    weights_changed();
    guard.record(step_losses);
    if (pending_steps > 0) --pending_steps;
    const bool stepping_done = state != RunState::running && pending_steps == 0;
    bool ok = true;
    if (step_count % run.config.run.log_every == 0 || stepping_done) ok = readback();
    train_seconds += seconds_since(t0);
    if (!ok) return;
    const std::string at = "step " + std::to_string(step_count);
    if (leader() && (state == RunState::running || pending_steps == 0) &&
        !guarded(at + ": preview", [&] {
          eval.refresh_preview(*run.method, *run.data, run.config, step_count, stepping_done);
        })) {
      return;
    }
    const RunConfig& rc = run.config.run;
    if (!guarded(at, [&] {
          if (leader() && rc.eval_every > 0 && step_count % rc.eval_every == 0) evaluate();
          if (step_count % rc.csv_every == 0) write_csv_row();
          if (run.dir && rc.checkpoint_every > 0 && step_count % rc.checkpoint_every == 0) {
            write_checkpoint(capture(), run.dir->path("checkpoint.ckpt"));
          }
        })) {
      return;
    }
    const bool step_limit = rc.steps > 0 && step_count >= rc.steps;
    // Only rank 0's clock counts: the others finish when it says (at the next exchange).
    const bool time_limit =
        leader() && rc.seconds > 0 && wall_seconds + seconds_since(t0) >= rc.seconds;
    if (state != RunState::running) return;
    if (step_limit || (time_limit && !distributed())) {
      finish();
    } else if (time_limit) {
      ranks.request_finish();
    }
  }

  // The losses since the last readback into the curves, after the NaN guard's check; after a
  // NaN the last good state comes back and the run pauses with the reason. False then.
  bool readback() {
    if (!guard.pending()) return true;
    auto nets = run.method->networks();
    std::string problem;
    auto rows = guard.read(nets, run.method->loss_names(), step_count, problem);
    if (distributed()) {
      try {
        ranks.agree_on_readback(rows, problem, step_count);
      } catch (const DistError& e) {
        lose_group(error_message(e));
        return false;
      }
    }
    if (!rows) {
      step_count = guard.restore(nets, *run.rng);
      weights_changed();
      fail(problem + "; restored the state of step " + std::to_string(step_count) +
           " and paused (lower a learning rate, then resume)");
      return false;
    }
    log.add_losses(step_count, *rows);
    log.add_clock(step_count, wall_seconds);
    log.update_rates(nets, train_seconds);
    guard.save(nets, step_count, train_seconds, *run.rng);
    return true;
  }

  void evaluate() {
    eval.evaluate(*run.method, *run.data, run.config, step_count, log,
                  run.dir ? &*run.dir : nullptr, [this](const std::string& m, bool force) {
                    message = m;
                    publish(force);
                  });
  }

  void write_csv_row() {
    log.write_csv_row(run.dir ? &*run.dir : nullptr, step_count, wall_seconds, train_seconds);
  }

  // The last evaluation, csv row and checkpoint, then `finished`: a watcher that sees the state
  // (the CLI exits on it) finds every output written. A failed evaluation still saves the
  // weights and then stops the run with its reason.
  void finish() {
    pending_steps = 0;
    // The steps since the last readback are checked (and logged) before anything is saved.
    if (!readback()) return;
    const std::string at = "finishing at step " + std::to_string(step_count);
    std::string eval_failure;
    try {
      if (leader() && eval.last_eval_step != step_count) evaluate();
    } catch (const std::exception& e) {
      eval_failure = at + ": evaluation failed: " + error_message(e);
    }
    std::string where;
    const bool ok = guarded(at, [&] {
      if (log.csv_behind(step_count)) write_csv_row();
      if (run.dir) {
        write_checkpoint(capture(), run.dir->path("checkpoint.ckpt"));
        where = "; outputs in " + run.dir->dir();
      }
    });
    if (!ok) return;
    if (!eval_failure.empty()) {
      fail(eval_failure + (run.dir ? " (checkpoint saved in " + run.dir->dir() + ")" : ""));
      return;
    }
    state = RunState::finished;
    message = "finished at step " + std::to_string(step_count) + where;
    publish(true);
  }

  Checkpoint capture() {
    // σ_data as the networks were built with it (measured when the config says 0), so the
    // checkpoint describes them without the data (export, a run on another machine).
    Config c = run.config;
    c.model.sigma_data = run.sigma_data;
    return capture_checkpoint(*run.method, c, step_count, train_seconds, *run.rng);
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
    } catch (const DistError& e) {
      lose_group(error_message(e));
      done->set_exception(std::current_exception());
    } catch (const std::exception& e) {
      message = error_message(e);
      publish(true);
      done->set_exception(std::current_exception());
    }
  }

  void on(cmd::Resume&) {
    if (state == RunState::finished) {
      run.config.run.steps = 0;
      run.config.run.seconds = 0;
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
      rebuild_keeping_state(run.config);
      message = "reset to step 0";
    } catch (const DistError& e) {
      lose_group(std::string("reset failed: ") + error_message(e));
    } catch (const std::exception& e) {
      fail(std::string("reset failed: ") + error_message(e));
    }
  }
  void on(cmd::Set& s) {
    answer(s.done, [&] {
      const auto partial = s.key.empty() ? s.partial : partial_setting(s.key, s.text);
      const Config next = merge_json(run.config, partial, "setting");
      const auto needs_reset = reset_keys(run.config, next);
      if (!needs_reset.empty() && !s.allow_reset) {
        throw ConfigError("changing " + needs_reset.front() +
                          " needs a reset of the run (reset to apply it)");
      }
      if (!needs_reset.empty()) {
        rebuild_keeping_state(next);
      } else {
        apply_live(next);
      }
      message = "applied " + partial.dump();
    });
  }
  // The method takes the new settings first; when it refuses, it gets the old ones back and the
  // config stays as it was.
  void apply_live(const Config& next) {
    try {
      run.method->update_hyperparams(next);
    } catch (...) {
      run.method->update_hyperparams(run.config);
      throw;
    }
    runner->config_changed(run.config, next);
    if (next.run.cuda_graph != run.config.run.cuda_graph)
      runner->set_mode(next.run.cuda_graph, distributed());
    run.config = next;
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
        if (leader()) write_checkpoint(capture(), s.path);
      } catch (const std::exception& e) {
        throw IoError("save failed: " + error_message(e));
      }
      message = "saved " + s.path;
    });
  }
  void on(cmd::Load& l) {
    answer(l.done, [&] {
      Run r;
      try {
        Checkpoint ck = read_checkpoint(l.path);
        r = open_run(ck.config, run_dir_path);
        restore_run(ck, r);
      } catch (const std::exception& e) {
        throw CheckpointError("load failed: " + error_message(e));
      }
      commit(std::move(r));
      apply_threads();
      state = RunState::paused;
      message = "loaded " + l.path + " at step " + std::to_string(step_count);
    });
  }
  void on(Probe& p) {
    auto& lane = quick_probe(p, run.method->has_generator()) ? quick_probes : slow_probes;
    lane.post(current_model(), std::move(p));
  }
  void on(cmd::InjectNan&) {
    torch::NoGradGuard no_grad;
    run.method->networks().front()->params().data()[0].fill_(std::nan(""));
    weights_changed();
  }

  // The probes' copy of the model, taken again only when the weights changed since the last.
  std::shared_ptr<const ModelCopy> current_model() {
    if (!model_copy || model_copy->run_id != run_id || model_copy->version != model_version) {
      model_copy = copy_model(run, run_id, model_version, step_count);
    }
    return model_copy;
  }

  // ------------------------------------------------------------------ snapshots
  void publish(bool force) {
    const double min_gap = 1.0 / run.config.run.snapshot_hz;
    if (!force && seconds_since(last_publish) < min_gap) return;
    last_publish = Clock::now();
    auto s = std::make_shared<Snapshot>();
    s->run_id = run_id;
    s->state = state;
    s->step = step_count;
    s->train_seconds = train_seconds;
    s->wall_seconds = wall_seconds;
    s->error = error;
    s->message = message;
    s->step_mode = runner ? runner->describe() : "";
    run.publish_into(*s);
    log.publish_into(*s);
    eval.publish_into(*s);
    snapshots.publish(std::move(s));
  }

  template <class C, class T, class... Args>
  std::future<T> request(Args&&... args) {
    auto p = std::make_shared<std::promise<T>>();
    auto f = p->get_future();
    commands.post(to_command(C{std::forward<Args>(args)..., p}));
    return f;
  }
};

Trainer::Trainer(const Config& config, std::string run_dir, std::shared_ptr<Communicator> comm)
    : impl_(std::make_unique<Impl>()) {
  impl_->ranks = Replication(std::move(comm));
  impl_->run_dir_path = impl_->ranks.run_dir_for(config, run_dir);
  impl_->commit(open_run(config, impl_->run_dir_path));
  impl_->publish(true);
  impl_->worker = std::thread([this] { impl_->loop(); });
}

Trainer::Trainer(const Checkpoint& from, const Config& config, std::string run_dir,
                 std::shared_ptr<Communicator> comm)
    : impl_(std::make_unique<Impl>()) {
  const auto structural = reset_keys(from.config, config);
  if (!structural.empty()) {
    throw ConfigError(structural.front() +
                      ": cannot change this setting when continuing a run (it shapes the model, "
                      "its data or its random streams)");
  }
  impl_->ranks = Replication(std::move(comm));
  impl_->run_dir_path = impl_->ranks.run_dir_for(config, run_dir);
  Run r = open_run(config, impl_->run_dir_path, from.step);
  restore_run(from, r);
  impl_->commit(std::move(r));
  impl_->message = "continuing at step " + std::to_string(impl_->step_count);
  impl_->publish(true);
  impl_->worker = std::thread([this] { impl_->loop(); });
}

Trainer::~Trainer() {
  impl_->commands.close();
  if (impl_->worker.joinable()) impl_->worker.join();
}

void Trainer::resume() {
  impl_->commands.post(cmd::Resume{});
}
void Trainer::pause() {
  impl_->commands.post(cmd::Pause{});
}
void Trainer::step(int64_t n) {
  impl_->commands.post(cmd::Step{n});
}
void Trainer::reset() {
  impl_->commands.post(cmd::Reset{});
}
void Trainer::inject_nan() {
  impl_->commands.post(cmd::InjectNan{});
}

std::future<void> Trainer::set(const std::string& key, const std::string& value, bool allow_reset) {
  return impl_->request<cmd::Set, void>(key, value, nlohmann::json(), allow_reset);
}

std::future<void> Trainer::set_json(const nlohmann::json& partial, bool allow_reset) {
  return impl_->request<cmd::Set, void>("", "", partial, allow_reset);
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
  return impl_->snapshots.latest();
}

std::shared_ptr<const Snapshot> Trainer::wait_for(const std::function<bool(const Snapshot&)>& pred,
                                                  double timeout_s) const {
  return impl_->snapshots.wait_for(pred, timeout_s);
}

}  // namespace scorelab
