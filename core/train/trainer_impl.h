#pragma once
// The Trainer's worker side, shared by trainer.cpp (setup, the loop, steps, readbacks,
// snapshots) and trainer_commands.cpp (what each command does). Only those two include it.
#include <torch/torch.h>

#include <deque>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
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
#include "train/trainer.h"

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

  // ---- setup (trainer.cpp) ----
  // Puts a fully built run in place of the current one and starts its bookkeeping afresh.
  void commit(Run r);
  void rebuild_keeping_state(const Config& c);
  void apply_threads();
  void weights_changed() { ++model_version; }

  // ---- the loop (trainer.cpp) ----
  bool wants_to_train() const { return state == RunState::running || pending_steps > 0; }
  void loop();
  // The commands every rank applies this round (Replication::exchange). Returns whether to end
  // the loop: rank 0 when closed; another rank when rank 0 ended the run (it then trains alone,
  // finished) or the group failed, and it is closed itself.
  bool exchange_commands(std::deque<Command>& batch, bool closed);
  void leave_group() { ranks.leave(run.method.get()); }
  // Another rank died or hung (or the collectives failed): back to the last checked state, which
  // a save then keeps, and stop with the reason.
  void lose_group(const std::string& why);
  void fail(const std::string& why);
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
  void train_once();
  // The losses since the last readback into the curves, after the NaN guard's check; after a
  // NaN the last good state comes back and the run pauses with the reason. False then.
  bool readback();
  void evaluate();
  void write_csv_row();
  // The last evaluation, csv row and checkpoint, then `finished`: a watcher that sees the state
  // (the CLI exits on it) finds every output written. A failed evaluation still saves the
  // weights and then stops the run with its reason.
  void finish();
  Checkpoint capture();

  // ---- commands (trainer_commands.cpp) ----
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
  void on(cmd::Resume&);
  void on(cmd::Pause&);
  void on(cmd::Step& s);
  void on(cmd::Reset&);
  void on(cmd::Set& s);
  // The method takes the new settings first; when it refuses, it gets the old ones back and the
  // config stays as it was.
  void apply_live(const Config& next);
  void on(cmd::Replace& r);
  void on(cmd::Save& s);
  void on(cmd::Load& l);
  void on(Probe& p);
  void on(cmd::InjectNan&);
  // The probes' copy of the model, taken again only when the weights changed since the last.
  std::shared_ptr<const ModelCopy> current_model();

  // ---- snapshots (trainer.cpp) ----
  void publish(bool force);
  template <class C, class T, class... Args>
  std::future<T> request(Args&&... args) {
    auto p = std::make_shared<std::promise<T>>();
    auto f = p->get_future();
    commands.post(to_command(C{std::forward<Args>(args)..., p}));
    return f;
  }
};

}  // namespace scorelab
