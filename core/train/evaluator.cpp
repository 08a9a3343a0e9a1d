#include "train/evaluator.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

#include "common/error.h"
#include "common/rng.h"
#include "data/image_dataset.h"
#include "methods/method.h"
#include "metrics/fid_evaluator.h"
#include "metrics/metric_names.h"
#include "plot/image_grid.h"
#include "plot/scatter_png.h"
#include "sample/draw_samples.h"
#include "train/run_directory.h"
#include "train/run_log.h"
#include "train/snapshot.h"

namespace scorelab {

namespace {
double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

Evaluator::Evaluator() = default;
Evaluator::~Evaluator() = default;

namespace {
// Named after the network FID is computed with (the default cached one).
std::string default_fid_metric() {
  return FidEvaluator::fid_metric_name(ClassifierRecipe{}.name("fmnist-classifier"));
}
}  // namespace

std::string Evaluator::no_fid_reason(const Dataset& data, int64_t eval_samples) {
  if (!data.is_image()) return "not images";
  auto* images = dynamic_cast<const ImageDataset*>(&data);
  return images ? fid_unavailable(*images, eval_samples) : "FID needs an image data set";
}

std::vector<std::string> Evaluator::metric_names_for(const Dataset& data, int64_t eval_samples) {
  if (!data.is_image()) return metric::toy_metric_names(data.mixture() != nullptr);
  if (!no_fid_reason(data, eval_samples).empty()) return {};
  return {default_fid_metric(), metric::floor_of(default_fid_metric())};
}

void Evaluator::start(const Dataset& data, int64_t eval_samples, bool keep_fid) {
  if (!keep_fid) fid_.reset();  // its reference statistics belong to the old images
  metric_names_ = metric_names_for(data, eval_samples);
  no_fid_ = data.is_image() ? no_fid_reason(data, eval_samples) : "";
  const bool fid = data.is_image() && no_fid_.empty();
  fid_metric = fid ? default_fid_metric() : "";
  fid_floor_metric = fid ? metric::floor_of(fid_metric) : "";
  told_no_fid_ = false;
  last_eval.reset();
  last_eval_step = -1;
  eval_sampler.clear();
  this->eval_samples = eval_real = torch::Tensor();
  preview_images = torch::Tensor();
  preview_step = -1;
  last_preview_ = -1e9;
}

void Evaluator::publish_into(Snapshot& s) const {
  s.last_eval = last_eval;
  s.last_eval_step = last_eval_step;
  s.eval_sampler = eval_sampler;
  s.eval_samples = eval_samples;
  s.real_samples = eval_real;
  s.preview_images = preview_images;
  s.preview_step = preview_step;
  if (fid_) s.fid_label = fid_->label();
  s.fid_metric = fid_metric;
  s.fid_floor_metric = fid_floor_metric;
  if (!no_fid_.empty()) {
    // Said at the start (the CLI prints the data notice), not only at the first evaluation.
    s.data_notice +=
        std::string(s.data_notice.empty() ? "" : "; ") + "no FID for this data: " + no_fid_;
  }
}

void Evaluator::refresh_preview(Method& method, const Dataset& data, const Config& config,
                                int64_t step, bool force) {
  if (!data.is_image() || !method.has_generator()) return;
  const double t0 = now_seconds();
  if (!force && t0 - last_preview_ < std::max(1.0, 20 * preview_cost_)) return;
  torch::NoGradGuard no_grad;
  preview_images =
      method.generate(64, Rng(static_cast<uint64_t>(config.run.seed) * 31 + 11, method.device()))
          .to(torch::kCPU, torch::kFloat);
  preview_step = step;
  last_preview_ = now_seconds();
  preview_cost_ = last_preview_ - t0;
}

void Evaluator::evaluate_images(Method& method, const Dataset& data, const torch::Tensor& samples,
                                int64_t step, RunLog& log, RunDirectory* dir,
                                const Notify& notify) {
  std::map<std::string, double> values;
  const ImageShape shape = data.image_shape();
  // run.eval_samples is live: lowered below FID's minimum, this evaluation goes without.
  const std::string too_few = no_fid_.empty() ? fid_unavailable_for_samples(samples.size(0)) : "";
  if (!too_few.empty()) {
    notify("no FID at step " + std::to_string(step) + ": " + too_few, true);
  } else if (no_fid_.empty()) {
    if (!fid_) {
      auto* images = dynamic_cast<const ImageDataset*>(&data);
      if (!images) throw ConfigError("FID needs an image data set");
      notify("loading the FID feature network and reference statistics", true);
      auto progress = [&notify](double fraction, double) {
        notify("training the FID feature network (once; cached under " + cache_dir() +
                   "): " + std::to_string(static_cast<int>(100 * fraction)) + "%",
               false);
      };
      fid_ = std::make_unique<FidEvaluator>(*images, method.device(), progress);
      notify("FID reference ready: " + fid_->label() + ", real-vs-real floor " +
                 std::to_string(fid_->floor()),
             false);
    }
    values[fid_metric] = fid_->fid(samples);
    values[fid_floor_metric] = fid_->floor();
  } else if (!told_no_fid_) {
    // A number from features learned on other images would look like a measurement and not be.
    notify("no FID for this data: " + no_fid_, true);
    told_no_fid_ = true;
  }
  log.add_metrics(step, values);
  last_eval_step = step;
  eval_samples = samples.narrow(0, 0, std::min<int64_t>(64, samples.size(0))).to(torch::kCPU);
  if (!method.has_generator()) {
    preview_images = eval_samples;  // no generator: the grid shows the evaluation's samples
    preview_step = step;
  }
  if (dir) {
    write_image_grid_png(dir->path("samples.png"),
                         eval_samples.reshape({-1, shape.channels, shape.height, shape.width}), 8);
  }
}

void Evaluator::evaluate(Method& method, const Dataset& data, const Config& config, int64_t step,
                         RunLog& log, RunDirectory* dir, const Notify& notify) {
  const uint64_t seed = static_cast<uint64_t>(config.run.seed) * 31 + 7;
  eval_sampler = resolve_sampler(method, config.sampler.kind);
  SampleResult s = draw_samples(method, config.sampler, eval_sampler, config.run.eval_samples,
                                data.dim(), seed, method.device());
  if (data.is_image()) {
    evaluate_images(method, data, s.samples, step, log, dir, notify);
    return;
  }
  SampleMetrics m = evaluate_samples(s.samples, data, seed);
  log.add_metrics(step, metric::toy_metric_values(m));
  last_eval = m;
  last_eval_step = step;
  eval_samples = s.samples;
  Rng real_rng(seed + 1, torch::kCPU);
  eval_real = data.sample(s.samples.size(0), real_rng);
  if (dir) write_scatter_png(dir->path("samples.png"), eval_real, eval_samples);
}

}  // namespace scorelab
