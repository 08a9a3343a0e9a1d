#pragma once
// Runs a method's training steps for the Trainer and the bench: eagerly (the reference), or on
// CUDA by replaying the step captured as one CUDA graph (run.cuda_graph). A step of another kind
// than the last (pretraining → main, core/methods/method.h) runs eagerly first; after
// kWarmupSteps eager steps of one kind the next is captured and every later one replayed.
// Live changes of values the step reads from device tensors (learning rates, EMA decays) keep
// the graph; any other change re-captures it.
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "train/cuda_step_graph.h"

namespace scorelab {

class Method;

// Whether this build can capture CUDA graphs (a CUDA libtorch).
bool cuda_graphs_available();

class StepRunner {
 public:
  static constexpr int kWarmupSteps = 3;

  // mode: run.cuda_graph (auto | on | off). Where graphs cannot run (another device, a build
  // without CUDA, a data-parallel run) steps are eager and describe() says why (build_run
  // refuses `on` there first); a capture that fails stops an `on` run and makes `auto` eager.
  StepRunner(Method& method, torch::Device device, const std::string& mode,
             bool distributed = false);

  void step(std::vector<torch::Tensor>& losses);
  // The next steps warm up and re-capture (the step's shapes or kernels changed).
  void invalidate();
  // Keeps the graph when `next` differs from `previous` only in values the graph reads from
  // device tensors; otherwise invalidates.
  void config_changed(const Config& previous, const Config& next);
  // Applies a new run.cuda_graph (and whether the run is now distributed).
  void set_mode(const std::string& mode, bool distributed = false);

  bool graphs_enabled() const { return enabled_; }
  bool last_step_replayed() const { return last_replayed_; }
  int64_t captures() const { return captures_; }
  int64_t replays() const { return replays_; }
  // One line for status bars and logs: "CUDA graph (captured 1×)", "eager: <why>".
  std::string describe() const;

 private:
  Method& method_;
  torch::Device device_;
  CudaStepGraph graph_;
  bool enabled_ = false, required_ = false;
  std::string why_eager_;
  std::string kind_;
  int eager_in_kind_ = 0;
  bool last_replayed_ = false;
  int64_t captures_ = 0, replays_ = 0;
};

// Whether every difference between two configs is one the graph reads from device tensors.
bool only_device_held_changes(const Config& previous, const Config& next);

}  // namespace scorelab
