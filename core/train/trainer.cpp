#include "train/trainer.h"

#include <torch/torch.h>

#include <cmath>
#include <thread>
#include <variant>

#include "common/process_setup.h"
#include "common/rng.h"
#include "methods/method.h"
#include "parallel/communicator.h"
#include "settings/settings.h"
#include "train/trainer_impl.h"

namespace scorelab {

void Trainer::Impl::commit(Run r) {
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

void Trainer::Impl::rebuild_keeping_state(const Config& c) {
  const RunState keep = state == RunState::running ? RunState::running : RunState::paused;
  commit(open_run(c, run_dir_path));
  apply_threads();
  state = keep;
}

void Trainer::Impl::apply_threads() {
  if (applied_threads != run.config.run.threads) {
    set_compute_threads(static_cast<int>(run.config.run.threads));
    applied_threads = static_cast<int>(run.config.run.threads);
  }
}

void Trainer::Impl::loop() {
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

bool Trainer::Impl::exchange_commands(std::deque<Command>& batch, bool closed) {
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

void Trainer::Impl::lose_group(const std::string& why) {
  leave_group();
  std::string where;
  if (run.method) {
    step_count = guard.restore(run.method->networks(), *run.rng);
    weights_changed();
    where = "; stopped at step " + std::to_string(step_count) + " (its last checked state)";
  }
  fail(why + where);
}

void Trainer::Impl::fail(const std::string& why) {
  error = why;
  state = RunState::error;
  pending_steps = 0;
  publish(true);
}

void Trainer::Impl::train_once() {
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

bool Trainer::Impl::readback() {
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

void Trainer::Impl::evaluate() {
  eval.evaluate(*run.method, *run.data, run.config, step_count, log, run.dir ? &*run.dir : nullptr,
                [this](const std::string& m, bool force) {
                  message = m;
                  publish(force);
                });
}

void Trainer::Impl::write_csv_row() {
  log.write_csv_row(run.dir ? &*run.dir : nullptr, step_count, wall_seconds, train_seconds);
}

void Trainer::Impl::finish() {
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

Checkpoint Trainer::Impl::capture() {
  // σ_data as the networks were built with it (measured when the config says 0), so the
  // checkpoint describes them without the data (export, a run on another machine).
  Config c = run.config;
  c.model.sigma_data = run.sigma_data;
  return capture_checkpoint(*run.method, c, step_count, train_seconds, *run.rng);
}

void Trainer::Impl::publish(bool force) {
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
