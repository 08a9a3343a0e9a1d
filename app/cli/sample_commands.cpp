// `scorelab-cli sample` and `scorelab-cli eval`: load a checkpoint, draw samples, write or score
// them.
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "cli/latest_checkpoint.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/process_setup.h"
#include "common/rng.h"
#include "data/image_dataset.h"
#include "data/toy_datasets.h"
#include "metrics/fid_evaluator.h"
#include "metrics/metric_names.h"
#include "metrics/toy_metrics.h"
#include "plot/image_grid.h"
#include "plot/scatter_png.h"
#include "sample/draw_samples.h"
#include "train/run_parts.h"

namespace scorelab::cli {

namespace {

struct SampleOptions {
  std::string checkpoint, sampler, out, device, score = "learned";
  std::vector<std::string> sets;
  int64_t n = -1, seed = 1, threads = 1;
  bool json = false;
};

void add_common(CLI::App* sub, SampleOptions& o, int64_t default_n) {
  o.n = default_n;
  sub->add_option("--checkpoint", o.checkpoint,
                  "checkpoint file (default: the newest runs/*/checkpoint.ckpt)");
  sub->add_option("--sampler", o.sampler,
                  "auto | onestep | annealed | langevin (default: the run's)")
      ->check(CLI::IsMember({"auto", "onestep", "annealed", "langevin"}));
  sub->add_option("--score", o.score,
                  "learned (the model's) | exact (the data's closed form; Langevin samplers only)")
      ->check(CLI::IsMember({"learned", "exact"}));
  sub->add_option("--n", o.n, "number of samples")
      ->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  sub->add_option("--seed", o.seed, "sampling seed");
  sub->add_option("--device", o.device, "auto | cpu | cuda | cuda:N (default: the run's)");
  sub->add_option("--threads", o.threads, "intra-op CPU threads")->check(CLI::Range(1, 256));
  sub->add_option("--set", o.sets, "change a sampler setting, key=value (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

struct Drawn {
  RunParts run;
  std::string checkpoint, sampler;
  SampleResult result;
};

Drawn load_and_draw(SampleOptions& o) {
  set_compute_threads(static_cast<int>(o.threads));
  Drawn d;
  d.checkpoint = o.checkpoint.empty() ? latest_checkpoint() : o.checkpoint;
  d.run = load_run(d.checkpoint, o.device, o.sets);
  d.sampler = o.sampler.empty() ? d.run.config.sampler.kind : o.sampler;
  // An exact score only drives Langevin, so "auto" means annealed there.
  d.sampler = o.score == "exact" && d.sampler == "auto" ? "annealed"
                                                        : resolve_sampler(*d.run.method, d.sampler);
  const auto seed = static_cast<uint64_t>(o.seed);
  if (o.score == "exact" && d.run.data->is_image()) {
    throw ConfigError("--score exact is for 2-D data; image runs sample with their learned score");
  }
  if (o.score == "learned") {
    d.result = draw_samples(*d.run.method, d.run.config.sampler, d.sampler, o.n, d.run.data->dim(),
                            seed, d.run.device);
    return d;
  }
  if (d.sampler == "onestep") {
    throw ConfigError("--score exact needs a Langevin sampler (annealed or langevin), not onestep");
  }
  // Mixtures have a closed form; any other set uses the exact score of its noised empirical
  // density over a fixed sample (which Langevin at small σ will reproduce point by point).
  // 2000 points keep each evaluation's N x 2000 float64 table small.
  const GaussianMixture* mixture = d.run.data->mixture();
  std::optional<GaussianMixture> empirical;
  if (mixture == nullptr) {
    Rng rng(seed + 7, torch::kCPU);
    empirical = GaussianMixture::from_samples(d.run.data->sample(2000, rng));
    mixture = &*empirical;
  }
  d.result = draw_langevin_samples(exact_score(*mixture), d.run.config.sampler, d.sampler, o.n,
                                   d.run.data->dim(), seed, d.run.device);
  return d;
}

// One sample per row: x,y for points, p0,p1,... (pixels in [-1, 1], row-major) for images.
void write_csv(const std::string& path, const torch::Tensor& samples) {
  auto s = samples.to(torch::kCPU, torch::kFloat).contiguous();
  const int64_t dim = s.size(1);
  std::ostringstream out;
  if (dim == 2) {
    out << "x,y\n";
  } else {
    for (int64_t j = 0; j < dim; ++j) out << (j ? ",p" : "p") << j;
    out << "\n";
  }
  const float* p = s.data_ptr<float>();
  char buf[32];
  for (int64_t i = 0; i < s.size(0); ++i) {
    for (int64_t j = 0; j < dim; ++j) {
      std::snprintf(buf, sizeof buf, j + 1 < dim ? "%.7g," : "%.7g\n", p[i * dim + j]);
      out << buf;
    }
  }
  write_file_atomically(path, out.str());
}

constexpr int64_t kMaxGridImages = 400;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

nlohmann::json non_finite_as_null(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

}  // namespace

Runner add_sample_command(CLI::App& app) {
  auto o = std::make_shared<SampleOptions>();
  auto* sub = app.add_subcommand("sample", "Draw samples from a checkpoint into a PNG or CSV");
  add_common(sub, *o, 10000);
  sub->add_option("--out", o->out,
                  "output file: .png (points: scatter beside real data; images: a grid of the "
                  "first 400) or .csv")
      ->required();
  return [o]() -> int {
    if (!ends_with(o->out, ".png") && !ends_with(o->out, ".csv")) {
      throw ConfigError("--out " + o->out + ": the file name must end in .png or .csv");
    }
    Drawn d = load_and_draw(*o);
    const ImageShape shape = d.run.data->image_shape();
    if (ends_with(o->out, ".png") && !shape.empty()) {
      const int64_t k = std::min(kMaxGridImages, d.result.samples.size(0));
      write_image_grid_png(o->out, d.result.samples.narrow(0, 0, k)
                                       .to(torch::kCPU)
                                       .reshape({k, shape.channels, shape.height, shape.width}));
    } else if (ends_with(o->out, ".png")) {
      Rng real_rng(static_cast<uint64_t>(o->seed) + 1, torch::kCPU);
      write_scatter_png(o->out, d.run.data->sample(d.result.samples.size(0), real_rng),
                        d.result.samples);
    } else {
      write_csv(o->out, d.result.samples);
    }
    std::printf("%lld samples (%s, %lld evaluations each, %.2f s) written to %s\n",
                static_cast<long long>(d.result.samples.size(0)), d.sampler.c_str(),
                static_cast<long long>(d.result.nfe), d.result.seconds, o->out.c_str());
    return 0;
  };
}

Runner add_eval_command(CLI::App& app) {
  auto o = std::make_shared<SampleOptions>();
  auto* sub = app.add_subcommand("eval", "Sample from a checkpoint and score the samples");
  add_common(sub, *o, 10000);
  sub->add_flag("--json", o->json, "print one JSON object");
  return [o]() -> int {
    Drawn d = load_and_draw(*o);
    if (auto* images = dynamic_cast<const ImageDataset*>(d.run.data.get())) {
      FidEvaluator fid(*images, d.run.device, nullptr);
      nlohmann::json j = {{"checkpoint", d.checkpoint},
                          {"method", d.run.method->name()},
                          {"data", d.run.config.data.name},
                          {"step", d.run.step},
                          {"sampler", d.sampler},
                          {"n", d.result.samples.size(0)},
                          {"nfe", d.result.nfe},
                          {"sample_seconds", d.result.seconds},
                          {"fid_features", fid.network().name},
                          {fid.metric_name(), fid.fid(d.result.samples)},
                          {metric::floor_of(fid.metric_name()), fid.floor()}};
      std::printf("%s\n", o->json ? j.dump().c_str() : j.dump(1).c_str());
      return 0;
    }
    const SampleMetrics m = evaluate_samples(d.result.samples, *d.run.data, o->seed);
    nlohmann::json j = {{"checkpoint", d.checkpoint},
                        {"method", d.run.method->name()},
                        {"data", d.run.config.data.name},
                        {"step", d.run.step},
                        {"sampler", d.sampler},
                        {"n", m.n},
                        {"nfe", d.result.nfe},
                        {"sample_seconds", d.result.seconds},
                        {"non_finite", m.non_finite},
                        {metric::sliced_w2, non_finite_as_null(m.sliced_w2)},
                        {metric::sliced_w2_floor, m.sliced_w2_floor},
                        {"sliced_w2_ratio", non_finite_as_null(m.sliced_w2 / m.sliced_w2_floor)},
                        {"energy_distance", non_finite_as_null(m.energy)}};
    if (m.modes) {
      j[metric::modes_covered] = m.modes->modes_covered;
      j["modes_total"] = m.modes->modes_total;
      j[metric::high_quality_rate] = m.modes->high_quality_rate;
      j["mode_weights"] = m.modes->mode_weights;
      j["true_mode_weights"] = m.modes->true_mode_weights;
      j[metric::nll] = non_finite_as_null(m.modes->nll);
    }
    if (o->json) {
      std::printf("%s\n", j.dump().c_str());
    } else {
      for (auto it = j.begin(); it != j.end(); ++it) {
        std::printf("%-18s %s\n", it.key().c_str(), it.value().dump().c_str());
      }
    }
    return 0;
  };
}

}  // namespace scorelab::cli
