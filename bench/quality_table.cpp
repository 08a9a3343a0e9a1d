#include "quality_table.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>

#include "bench_util.h"
#include "common/process_setup.h"
#include "data/toy_datasets.h"
#include "metrics/toy_metrics.h"
#include "sample/draw_samples.h"
#include "settings/presets.h"
#include "train/run_parts.h"

namespace scorelab::bench {

std::vector<std::string> default_quality_presets() {
  std::vector<std::string> out;
  for (const char* data : {"swissroll", "gauss8", "gauss25"}) {
    for (const char* method : {"smt", "smt-alpha01", "smd", "smm", "gan"}) {
      out.push_back(std::string(data) + "-" + method);
    }
  }
  return out;
}

namespace {

struct Mark {
  SampleMetrics metrics;
  int64_t steps = 0;
};

Mark evaluate(RunParts& run, int64_t n, int64_t steps) {
  const auto s =
      draw_samples(*run.method, run.config.sampler, "onestep", n, run.data->dim(), 11, run.device);
  return {evaluate_samples(s.samples, *run.data, 12), steps};
}

std::string cell(const Mark& m) {
  char buf[160];
  const double ratio = m.metrics.sliced_w2 / m.metrics.sliced_w2_floor;
  int len =
      std::snprintf(buf, sizeof buf, "%7lld %8.4f %7.4f %7.2f", static_cast<long long>(m.steps),
                    m.metrics.sliced_w2, m.metrics.sliced_w2_floor, ratio);
  if (m.metrics.modes) {
    std::snprintf(buf + len, sizeof buf - len, " %3lld/%-3lld %5.3f",
                  static_cast<long long>(m.metrics.modes->modes_covered),
                  static_cast<long long>(m.metrics.modes->modes_total),
                  m.metrics.modes->high_quality_rate);
  } else {
    std::snprintf(buf + len, sizeof buf - len, " %7s %5s", "-", "-");
  }
  return buf;
}

}  // namespace

void print_quality_table(const QualityOptions& o) {
  set_compute_threads(1);
  std::printf(
      "quality: one-step samples (n = %lld), %.0f s and %.0f s of training on %s, 1 thread\n",
      static_cast<long long>(o.samples), o.short_seconds, o.long_seconds, o.device.c_str());
  std::printf("%-22s | %-45s | %-45s\n", "", "after short run", "after long run");
  std::printf("%-22s | %7s %8s %7s %7s %7s %5s | %7s %8s %7s %7s %7s %5s\n", "preset", "gen st",
              "sw2", "floor", "ratio", "modes", "hq", "gen st", "sw2", "floor", "ratio", "modes",
              "hq");
  std::fflush(stdout);
  for (const auto& name : o.presets) {
    Config c = load_preset(name);
    c.run.device = o.device;
    RunParts run = build_run(c);
    std::vector<torch::Tensor> losses;
    auto* gen = run.method->networks().back();  // every generator method lists "gen" last
    double trained = 0;
    Mark marks[2];
    int next = 0;
    const double targets[2] = {o.short_seconds, o.long_seconds};
    bool diverged = false;
    while (next < 2) {
      const auto t0 = Clock::now();
      for (int i = 0; i < 20; ++i) run.method->step(losses);
      const double last = losses.empty() ? 0.0 : losses.back().item<double>();
      trained += since(t0);
      if (!std::isfinite(last)) diverged = true;
      while (next < 2 && (trained >= targets[next] || diverged)) {
        marks[next] = next == 1 && targets[1] == targets[0]
                          ? marks[0]
                          : evaluate(run, o.samples, gen->updates());
        std::fprintf(stderr, "  %s: %.0f s, %lld generator steps\n", name.c_str(), trained,
                     static_cast<long long>(gen->updates()));
        ++next;
      }
    }
    const bool one_mark = o.long_seconds == o.short_seconds;
    std::printf("%-22s | %s | %s%s\n", name.c_str(), cell(marks[0]).c_str(),
                one_mark ? "(same run)" : cell(marks[1]).c_str(),
                diverged ? "  (diverged: non-finite loss)" : "");
    std::fflush(stdout);
  }
}

}  // namespace scorelab::bench
