#pragma once
// The immutable picture of a run that the Trainer publishes at a bounded rate. Readers (the CLI's
// progress bar, the app's panels) hold a shared_ptr to one and never wait on a training step.
#include <torch/types.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "data/dataset.h"
#include "data/gaussian_mixture.h"
#include "metrics/toy_metrics.h"

namespace scorelab {

enum class RunState { paused, running, finished, error };
const char* to_string(RunState state);

// A named curve: (step, value) points, thinned by half whenever it exceeds its cap.
struct Series {
  std::string name;
  std::vector<int64_t> steps;
  std::vector<double> values;
  bool empty() const { return values.empty(); }
  double last() const { return values.back(); }
};

struct NetworkRate {
  std::string name;
  int64_t updates = 0;
  double recent_per_s = 0;      // over the last second or so of training
  double average_per_s = 0;     // over all training time
  double lr = 0;                // learning rate of its latest update
  double last_update_norm = 0;  // ‖Δθ‖ of the update before the latest readback
};

struct Snapshot {
  uint64_t version = 0;
  uint64_t run_id = 0;  // a new number for each run (reset, new config, loaded checkpoint)
  RunState state = RunState::paused;
  int64_t step = 0;
  double train_seconds = 0;  // time spent in training steps
  double wall_seconds = 0;   // time the run has been running (steps, evaluation, I/O)
  std::string error;         // why the run stopped (state == error)
  std::string message;       // the latest notice (a setting applied, a save done, ...)
  std::string phase;         // a phase before training proper ("pretraining the generator: ...")
  Config config;
  std::string data_description;  // what the data is ("5000 points of 2 coordinates from a.csv")
  std::string data_notice;       // what the user should know about it (files skipped, ...)
  std::string method;
  std::string device;
  std::string device_reason;  // why run.device = auto picked it ("" when named)
  std::string step_mode;      // how steps run: "CUDA graph (main, captured 1x)", "eager: ..."
  std::vector<std::string> loss_names;
  std::vector<std::string> score_models;  // what eval_field can draw (Method::score_models)
  std::string data_score_model;           // the one estimating the data score; "" = none
  std::string mixture_score_model;        // the one of the α-mixture score; "" = none
  bool has_generator = false;             // one-step sampling applies
  std::vector<Series> losses;             // one per loss name
  std::vector<Series> metrics;            // sliced_w2, sliced_w2_floor, energy, ...
  Series clock;                           // wall_seconds at steps, to plot curves by time
  std::vector<NetworkRate> rates;
  std::optional<SampleMetrics> last_eval;
  int64_t last_eval_step = -1;
  std::string eval_sampler;      // the sampler that drew them (config's "auto" resolved)
  torch::Tensor eval_samples;    // the latest evaluated samples, CPU [n, 2]
  torch::Tensor real_samples;    // real samples of the same size, CPU
  torch::Tensor real_reference;  // fixed real samples (5000; 64 for images) for plots
  // The data's exact density when it is a Gaussian mixture (contours, mode weights); else null.
  std::shared_ptr<const GaussianMixture> mixture;

  // Image data only.
  ImageShape image_shape;        // empty for 2-D points
  torch::Tensor preview_images;  // CPU rows [64, dim]: the generator on a fixed batch of z
  int64_t preview_step = -1;     // the step they show
  std::string fid_label;         // "FID (fmnist-classifier features)" once the network is loaded
  std::string fid_metric;        // the metrics series holding FID, and its floor's
  std::string fid_floor_metric;

  const Series* metric(const std::string& name) const;
};

// The latest snapshot, handed from the worker to any number of readers: publishing swaps a
// shared_ptr under a lock held for that swap only, and wakes readers waiting for a condition.
class SnapshotChannel {
 public:
  // Numbers the snapshot (its version) and makes it the latest.
  void publish(std::shared_ptr<Snapshot> snapshot);
  std::shared_ptr<const Snapshot> latest() const;
  // Waits until the latest snapshot satisfies pred or timeout_s passes; returns the latest.
  std::shared_ptr<const Snapshot> wait_for(const std::function<bool(const Snapshot&)>& pred,
                                           double timeout_s) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::shared_ptr<const Snapshot> latest_;
  uint64_t version_ = 0;
};

}  // namespace scorelab
