#pragma once
// The parts of a run built from a config — device, data set, Rng, method — for the Trainer, and
// for the CLI's sample/eval commands that load a checkpoint without training it.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/rng.h"
#include "config/config.h"
#include "data/dataset.h"
#include "data/gaussian_mixture.h"
#include "methods/method.h"
#include "train/run_directory.h"

namespace scorelab {

struct Snapshot;

struct RunParts {
  Config config;
  torch::Device device = torch::kCPU;
  std::shared_ptr<const Dataset> data;
  std::unique_ptr<Rng> rng;
  std::unique_ptr<Method> method;
  std::string device_reason;  // why run.device = auto picked the device ("" when named)
  double sigma_data = 1;      // EDM's σ_data the networks were built with
  int64_t step = 0;           // the checkpoint's step, when loaded from one
  double train_seconds = 0;   // and its training time
};

// Validates the config and builds everything; throws ConfigError naming the problem.
RunParts build_run(const Config& config);

// A run as the Trainer holds it: its parts, its output folder, and the fixed real samples and
// exact density the displays read.
struct Run : RunParts {
  std::optional<RunDirectory> dir;
  torch::Tensor real_reference;                    // CPU: 5000 points (64 images) of seed + 1000003
  std::shared_ptr<const GaussianMixture> mixture;  // the data's exact density; null for others

  // The config, what the method has and the data's reference, into a snapshot being published.
  void publish_into(Snapshot& s) const;
};

// Builds a whole run (and its folder with config.json when run_dir is not empty) before it
// replaces anything, so that a failure leaves the caller's current run as it is. continue_at
// >= 0: the folder's metrics.csv keeps its rows up to that step (see RunDirectory).
Run open_run(const Config& config, const std::string& run_dir, int64_t continue_at = -1);

struct Checkpoint;
// Copies a checkpoint's weights, optimizer state, step and (CPU) Rng state into parts built from
// its config; throws CheckpointError naming every mismatch, with the parts untouched then.
void restore_run(const Checkpoint& checkpoint, RunParts& parts);

// Reads a checkpoint and restores it into freshly built parts. device_override ("" = keep the
// checkpoint's) picks where to run; settings ("key=value", e.g. sampler.eps=2e-5) change live
// settings such as the sampler's, and are refused for structural ones (model.hidden, ...).
// Throws CheckpointError / ConfigError.
RunParts load_run(const std::string& checkpoint_path, const std::string& device_override = "",
                  const std::vector<std::string>& settings = {});

}  // namespace scorelab
