#pragma once
// A run's evaluations on the worker thread, at run.eval_every steps and at the end: samples from
// the evaluation sampler scored by the 2-D metrics or by FID (its feature network and reference
// statistics built at the first image evaluation, then kept while the images stay the same), the
// samples plot in the run folder, and the generator's fixed-z preview grid of image runs.
#include <torch/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "metrics/toy_metrics.h"

namespace scorelab {

class Dataset;
class FidEvaluator;
class Method;
class RunDirectory;
class RunLog;
struct Snapshot;

class Evaluator {
 public:
  // Tells the owner what is going on (FID's first load takes minutes); force = publish now.
  using Notify = std::function<void(const std::string& message, bool force)>;

  Evaluator();
  ~Evaluator();

  // Starts a new run on `data`; keep_fid keeps the FID reference (same images, same device).
  void start(const Dataset& data, int64_t eval_samples, bool keep_fid);
  // The metric curves of a run: the 2-D metrics, or FID and its floor (when FID applies).
  const std::vector<std::string>& metric_names() const { return metric_names_; }
  static std::vector<std::string> metric_names_for(const Dataset& data, int64_t eval_samples);
  // Why image data gets no FID ("" when it does; see fid_unavailable).
  static std::string no_fid_reason(const Dataset& data, int64_t eval_samples);

  // Samples the method with the evaluation sampler, scores them and logs the values at `step`.
  void evaluate(Method& method, const Dataset& data, const Config& config, int64_t step,
                RunLog& log, RunDirectory* dir, const Notify& notify);
  // The generator on a fixed batch of z for the image grid: every second, or less often when a
  // batch costs more than 5% of that (a conv generator on one CPU core: ~0.2 s); force = now.
  void refresh_preview(Method& method, const Dataset& data, const Config& config, int64_t step,
                       bool force);

  std::optional<SampleMetrics> last_eval;
  int64_t last_eval_step = -1;
  std::string eval_sampler;               // the sampler that drew them ("auto" resolved)
  torch::Tensor eval_samples, eval_real;  // CPU
  torch::Tensor preview_images;           // CPU rows [64, dim]
  int64_t preview_step = -1;
  std::string fid_metric, fid_floor_metric;  // image runs: the FID series' names
  // The latest evaluation, preview and FID names, into a snapshot being published.
  void publish_into(Snapshot& s) const;

 private:
  void evaluate_images(Method& method, const Dataset& data, const torch::Tensor& samples,
                       int64_t step, RunLog& log, RunDirectory* dir, const Notify& notify);

  std::vector<std::string> metric_names_;
  std::unique_ptr<FidEvaluator> fid_;
  std::string no_fid_;  // why this run's images get no FID ("" when they do)
  bool told_no_fid_ = false;
  double last_preview_ = -1e9;  // seconds on the steady clock
  double preview_cost_ = 0;     // seconds the last preview batch took
};

}  // namespace scorelab
