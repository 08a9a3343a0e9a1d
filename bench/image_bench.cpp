#include "image_bench.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <optional>

#include "bench_util.h"
#include "common/device.h"
#include "common/process_setup.h"
#include "data/image_dataset.h"
#include "metrics/fid_evaluator.h"
#include "phase_table.h"
#include "plot/image_grid.h"
#include "sample/draw_samples.h"
#include "settings/presets.h"
#include "train/run_parts.h"
#include "train/step_runner.h"

namespace scorelab::bench {

namespace {

Config preset_config(const std::string& preset, const ImageBenchOptions& o) {
  Config c = load_preset(preset);
  c.run.device = o.device;
  c.run.precision = o.precision;
  c.run.cuda_graph = o.cuda_graph;
  return c;
}

RunParts build(const std::string& preset, const ImageBenchOptions& o) {
  return build_run(preset_config(preset, o));
}

// Trains for `seconds` of step time, or until the method's step kind is no longer `kind` (when
// given); returns the seconds actually spent.
double train_for(RunParts& run, StepRunner& runner, double seconds, const std::string& kind = "") {
  std::vector<torch::Tensor> losses;
  const auto t0 = Clock::now();
  while (since(t0) < seconds && (kind.empty() || run.method->step_kind() == kind)) {
    for (int i = 0; i < 5; ++i) runner.step(losses);
    if (!losses.empty()) losses.front().item<double>();  // one readback per 5 steps, as the app
  }
  sync(run.device);
  return since(t0);
}

// The phases of a preset's method, each as a config that starts in it: the generator's
// pretraining, SMD's teacher, then training proper ("main") with both skipped.
std::vector<std::pair<std::string, Config>> phase_configs(const Config& c) {
  std::vector<std::pair<std::string, Config>> out;
  Config main = c;
  main.method.pretrain_steps = 0;
  if (c.method.pretrain_steps > 0) out.emplace_back("pretrain", c);
  if (c.method.name == "smd" && c.method.teacher.empty()) {
    out.emplace_back("teacher", main);
    main.method.teacher_steps = 1;  // its one update runs in the warm-up
  }
  out.emplace_back("main", main);
  return out;
}

const char* phase_label(const std::string& kind) {
  if (kind == "pretrain") return "pretraining";
  if (kind == "teacher") return "teacher";
  return "main";
}

struct Rate {
  double images_per_s = 0;
  int64_t nfe = 0;
};

Rate sampling_rate(RunParts& run, const std::string& sampler, int64_t n) {
  draw_samples(*run.method, run.config.sampler, sampler, std::min<int64_t>(n, 64), run.data->dim(),
               1, run.device);  // warm-up
  sync(run.device);
  const auto t0 = Clock::now();
  const SampleResult s =
      draw_samples(*run.method, run.config.sampler, sampler, n, run.data->dim(), 2, run.device);
  sync(run.device);
  return {n / since(t0), s.nfe};
}

FidEvaluator make_fid(const RunParts& run) {
  auto* images = dynamic_cast<const ImageDataset*>(run.data.get());
  if (!images) throw std::runtime_error(run.config.data.name + " is not an image data set");
  return FidEvaluator(*images, run.device, [](double fraction, double) {
    std::fprintf(stderr, "\r  training the FID feature network: %3.0f%%", 100 * fraction);
    if (fraction >= 1) std::fprintf(stderr, "\n");
  });
}

}  // namespace

void print_image_throughput(const ImageBenchOptions& o) {
  set_compute_threads(1);
  const torch::Device dev = resolve_device(o.device);
  std::printf("image throughput  libtorch %s  device %s  %s  %.0f s of training per preset\n",
              TORCH_VERSION, describe_device(dev).c_str(), o.precision.c_str(), o.seconds);
  for (const auto& name : o.presets) {
    const Config preset = preset_config(name, o);
    std::printf("%s (%s, batch %lld):\n", name.c_str(), preset.method.name.c_str(),
                static_cast<long long>(preset.optim.batch));
    // Each phase from a run that starts in it, so a pretraining rate is never the method's.
    std::optional<RunParts> main_run;
    for (auto& [kind, config] : phase_configs(preset)) {
      if (!o.only_phase.empty() && kind != o.only_phase) continue;
      RunParts run = build_run(config);
      StepRunner runner(*run.method, run.device, config.run.cuda_graph);
      train_for(run, runner, std::min(3.0, o.seconds));  // warm-up: allocator, kernels, graph
      if (run.method->step_kind() != kind) {
        std::printf("  %-11s (over within the warm-up)\n", phase_label(kind));
        continue;
      }
      auto nets = run.method->networks();
      std::vector<int64_t> before;
      for (auto* n : nets) before.push_back(n->updates());
      const double t = train_for(run, runner, o.seconds, kind);
      for (size_t i = 0; i < nets.size(); ++i) {
        const double per_s = (nets[i]->updates() - before[i]) / t;
        if (per_s == 0) continue;
        const bool score = nets[i]->name() != "gen" && kind == "main";
        std::printf(
            "  %-11s %-8s %8.2f steps/s  %9.1f images/s\n", phase_label(kind),
            nets[i]->name().c_str(), per_s,
            per_s * run.config.optim.batch * (score && run.method->has_generator() ? 2 : 1));
      }
      std::printf("  %-11s steps: %s\n", phase_label(kind), runner.describe().c_str());
      if (o.phases) {
        PhaseTimer timer(run.device);
        run.method->set_phase_timer(&timer);
        std::vector<torch::Tensor> losses;
        int64_t eager = 0;
        const auto t1 = Clock::now();
        while ((since(t1) < o.seconds / 3 || eager < 3) && run.method->step_kind() == kind) {
          run.method->step(losses);
          ++eager;
        }
        run.method->set_phase_timer(nullptr);
        print_phase_table(timer, {{phase_label(kind), eager}},
                          phase_marks_are_events(run.device) ? "CUDA events" : "steady clock");
      }
      if (kind == "main") main_run.emplace(std::move(run));
    }
    if (!main_run) continue;
    RunParts& run = *main_run;
    if (run.method->has_generator()) {
      const Rate r = sampling_rate(run, "onestep", o.sample_n);
      std::printf("  sampling %lld images one-step:              %10.1f images/s (1 evaluation)\n",
                  static_cast<long long>(o.sample_n), r.images_per_s);
    }
    if (!run.method->data_score_model().empty()) {
      const Rate r = sampling_rate(run, "annealed", o.sample_n);
      std::printf(
          "  sampling %lld images annealed Langevin:     %10.2f images/s (%lld evaluations)\n",
          static_cast<long long>(o.sample_n), r.images_per_s, static_cast<long long>(r.nfe));
    }
    std::fflush(stdout);
  }
}

void print_image_quality(const ImageBenchOptions& o) {
  set_compute_threads(1);
  const torch::Device dev = resolve_device(o.device);
  std::printf("image quality: %.0f s of training per preset on %s (%s), FID from %lld samples\n",
              o.seconds, describe_device(dev).c_str(), o.precision.c_str(),
              static_cast<long long>(o.samples));
  std::fflush(stdout);
  std::string header_label;
  for (const auto& name : o.presets) {
    RunParts run = build(name, o);
    FidEvaluator fid = make_fid(run);
    if (header_label.empty()) {
      header_label = fid.label();
      std::printf("%s; real-vs-real floor (train vs test) %.3f\n", header_label.c_str(),
                  fid.floor());
      std::printf("%-16s %-9s %10s %10s %8s %8s %10s %12s %10s\n", "preset", "sampler", "FID start",
                  "FID end", "floor", "steps", "NFE", "sample s", "images/s");
    }
    const std::string sampler = resolve_sampler(*run.method, run.config.sampler.kind);
    auto fid_now = [&](double* sample_seconds, int64_t* nfe) {
      const SampleResult s = draw_samples(*run.method, run.config.sampler, sampler, o.samples,
                                          run.data->dim(), 7, run.device);
      if (sample_seconds) *sample_seconds = s.seconds;
      if (nfe) *nfe = s.nfe;
      return std::make_pair(fid.fid(s.samples), s.samples);
    };
    double start = std::nan("");
    if (o.start_fid) {
      std::fprintf(stderr, "  %s: FID of the untrained model ...\n", name.c_str());
      start = fid_now(nullptr, nullptr).first;
    }
    std::fprintf(stderr, "  %s: training %.0f s ...\n", name.c_str(), o.seconds);
    StepRunner runner(*run.method, run.device, run.config.run.cuda_graph);
    train_for(run, runner, o.seconds);
    std::fprintf(stderr, "  %s: steps: %s\n", name.c_str(), runner.describe().c_str());
    double sample_s = 0;
    int64_t nfe = 0;
    const auto [end, samples] = fid_now(&sample_s, &nfe);
    const ImageShape sh = run.data->image_shape();
    const std::string grid = o.grid_dir + "/" + name + "-grid.png";
    write_image_grid_png(grid,
                         samples.narrow(0, 0, std::min<int64_t>(64, samples.size(0)))
                             .to(torch::kCPU)
                             .reshape({-1, sh.channels, sh.height, sh.width}),
                         8);
    // Generator updates where there is a generator (SMD's teacher steps would hide its own),
    // else the score network's.
    int64_t steps = 0;
    for (auto* n : run.method->networks()) steps = std::max(steps, n->updates());
    for (auto* n : run.method->networks())
      if (n->name() == "gen") steps = n->updates();
    // "-" rather than nan when the untrained model's FID was skipped (--no-start-fid).
    char start_text[32] = "-";
    if (o.start_fid) std::snprintf(start_text, sizeof start_text, "%.2f", start);
    std::printf("%-16s %-9s %10s %10.2f %8.3f %8lld %10lld %12.1f %10.1f   %s\n", name.c_str(),
                sampler.c_str(), start_text, end, fid.floor(), static_cast<long long>(steps),
                static_cast<long long>(nfe), sample_s, o.samples / std::max(sample_s, 1e-9),
                grid.c_str());
    std::fflush(stdout);
  }
}

}  // namespace scorelab::bench
