#include "train/step_runner.h"

#include "common/error.h"
#include "methods/method.h"
#include "settings/settings.h"

namespace scorelab {

bool cuda_graphs_available() {
  return CudaStepGraph::available();
}

StepRunner::StepRunner(Method& method, torch::Device device, const std::string& mode,
                       bool distributed)
    : method_(method), device_(device) {
  set_mode(mode, distributed);
}

void StepRunner::set_mode(const std::string& mode, bool distributed) {
  required_ = mode == "on";
  enabled_ = false;
  why_eager_.clear();
  if (mode == "off") {
    why_eager_ = "run.cuda_graph = off";
  } else if (!device_.is_cuda()) {
    why_eager_ = "CUDA graphs need a CUDA device";
  } else if (!cuda_graphs_available()) {
    why_eager_ = "this libtorch has no CUDA graphs";
  } else if (distributed) {
    // The gradient all-reduce between updates runs on the communicator's own streams.
    why_eager_ = "data-parallel runs step eagerly";
  } else {
    enabled_ = true;
  }
  invalidate();
}

void StepRunner::invalidate() {
  graph_.reset();
  kind_.clear();
  eager_in_kind_ = 0;
}

void StepRunner::config_changed(const Config& previous, const Config& next) {
  if (!only_device_held_changes(previous, next)) invalidate();
}

void StepRunner::step(std::vector<torch::Tensor>& losses) {
  last_replayed_ = false;
  if (!enabled_) {
    method_.step(losses);
    return;
  }
  const std::string kind = method_.step_kind();
  if (kind != kind_) {
    graph_.reset();
    kind_ = kind;
    eager_in_kind_ = 0;
  }
  if (!graph_.captured() && eager_in_kind_ < kWarmupSteps) {
    ++eager_in_kind_;
    method_.step(losses);
    return;
  }
  if (!graph_.captured()) {
    try {
      graph_.capture(method_);
      ++captures_;
    } catch (const std::exception& e) {
      if (required_) throw;
      enabled_ = false;
      why_eager_ = "the step could not be captured (" + error_message(e) + ")";
      method_.step(losses);
      return;
    }
  }
  graph_.replay(method_, losses);
  ++replays_;
  last_replayed_ = true;
}

std::string StepRunner::describe() const {
  if (!enabled_) return "eager: " + why_eager_;
  if (!graph_.captured()) return "CUDA graph: warming up (" + kind_ + ")";
  return "CUDA graph (" + kind_ + ", captured " + std::to_string(captures_) + "x)";
}

bool only_device_held_changes(const Config& previous, const Config& next) {
  auto strip = [](const Config& c) {
    auto j = to_json(c);
    // Read by the trainer between steps, never inside one; run.steps sets a cosine schedule's
    // length when optim.lr_decay_steps does not.
    const bool steps_shape_lr =
        (c.optim.lr_decay_gen == "cosine" || c.optim.lr_decay_score == "cosine") &&
        c.optim.lr_decay_steps == 0;
    const auto steps = j["run"]["steps"];
    j.erase("run");
    if (steps_shape_lr) j["run"]["steps"] = steps;
    j.erase("sampler");
    j.erase("description");
    // Written into the optimizers' and EMAs' device tensors (flat_adamw.h); betas, weight decay,
    // eps and clip are baked into libtorch's fused AdamW kernel.
    for (const char* key : {"lr_score", "lr_gen", "ema", "ema_gen"}) j["optim"].erase(key);
    return j.dump();
  };
  return strip(previous) == strip(next);
}

}  // namespace scorelab
