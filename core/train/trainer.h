#pragma once
// The Trainer owns a run — data, Rng, method (networks and optimizers) — and trains it on a
// worker thread of its own. Callers (the CLI, the app, tests) never touch those: they post
// commands, which the worker applies between steps in the order posted, and read the latest
// immutable Snapshot, which the worker publishes at a bounded rate.
//
// A NaN or inf in a loss or a weight is found at the next readback (every run.log_every steps):
// the worker restores the state of the last good readback, pauses, and the snapshot's error
// names the loss (or network) and the step.
//
// Every request returns a future: get() gives the result, or rethrows why the request was
// refused (ConfigError, CheckpointError, IoError, StaleRequestError) with nothing changed.
// Probes (score fields, samples, Langevin traces) are answered on a probe thread over a copy of
// the weights taken when the worker reaches them, in order with the other commands.
//
// With a Communicator the Trainer is one rank of a data-parallel run: every rank starts from
// rank 0's weights, averages gradients before each update and draws from its own Rng stream;
// rank 0 takes the commands (and decides time limits) and every rank applies them at the same
// point between steps; rank 0 alone writes the run folder and evaluates. A rank that dies or
// hangs past run.dist_timeout stops the others with the error, at their last checked state.
#include <nlohmann/json.hpp>

#include <functional>
#include <future>
#include <memory>
#include <string>

#include "config/config.h"
#include "sample/requests.h"
#include "train/snapshot.h"

namespace scorelab {

class Communicator;
struct Checkpoint;

class Trainer {
 public:
  // Builds the run from `config` (throws ConfigError for a bad one, on the caller's thread) and
  // starts the worker, paused. With a run_dir, writes config.json, metrics.csv, checkpoints and
  // sample plots there.
  // With comm, throws DistError when the ranks' configs differ (ranks > 0 write no folder).
  explicit Trainer(const Config& config, std::string run_dir = "",
                   std::shared_ptr<Communicator> comm = nullptr);
  // Continues a checkpoint's run — weights, optimizer moments, EMA, Rng, step and training time —
  // under `config`: the checkpoint's own, with limits or live settings changed (throws
  // ConfigError for a setting that would change the model or its data). With a run_dir,
  // metrics.csv keeps its rows up to the checkpoint's step and goes on from there.
  Trainer(const Checkpoint& from, const Config& config, std::string run_dir,
          std::shared_ptr<Communicator> comm = nullptr);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  void resume();
  void pause();
  void step(int64_t n = 1);  // pauses, then runs exactly n steps
  void reset();              // rebuilds from the current config and seed; keeps running/paused

  // Live edits (the value read by setting_value). Keys whose change needs a rebuild are refused
  // unless allow_reset, which then resets. A refused edit leaves config, snapshot and method as
  // they were.
  std::future<void> set(const std::string& key, const std::string& value, bool allow_reset = false);
  std::future<void> set_json(const nlohmann::json& partial, bool allow_reset = false);
  // Replaces the whole config (e.g. another preset) and resets.
  std::future<void> replace_config(const Config& config);

  std::future<void> save_checkpoint(const std::string& path);
  // Replaces the run by the checkpoint's (config, weights, optimizer state, step, Rng), paused.
  std::future<void> load_checkpoint(const std::string& path);

  std::future<FieldResult> eval_field(const FieldRequest& request);
  std::future<SampleResult> sample(const SampleRequest& request);
  std::future<LangevinTrace> langevin(const LangevinRequest& request);

  // Testing aid: poisons one weight of the first network, so the next step produces a NaN.
  void inject_nan();

  std::shared_ptr<const Snapshot> snapshot() const;
  // Waits (without polling) until a published snapshot satisfies pred, or timeout_s passes;
  // returns the latest snapshot either way.
  std::shared_ptr<const Snapshot> wait_for(const std::function<bool(const Snapshot&)>& pred,
                                           double timeout_s) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace scorelab
