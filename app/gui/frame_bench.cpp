#include "frame_bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "common/clock.h"
#include "common/error.h"
#include "settings/presets.h"
#include "settings/settings.h"
#include "train/trainer.h"

namespace scorelab::ui {

namespace {

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

// Updates per second of the method's last network with no window, over `seconds` of wall time
// after a second of warm-up.
double headless_rate(const Config& config, double seconds) {
  Trainer t(config);
  t.resume();
  auto updates = [&t] {
    auto s = t.snapshot();
    return s->rates.empty() ? int64_t{0} : s->rates.back().updates;
  };
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const int64_t u0 = updates();
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const int64_t u1 = updates();
  const double dt = seconds_since(t0);
  t.pause();
  return (u1 - u0) / dt;
}

}  // namespace

// The app's run sits between two headless runs of 8 s: this machine's speed drifts, and the
// mean of the runs before and after is the fairer comparison. No evaluations in either.
int run_frame_bench(const AppOptions& options, const std::vector<std::string>& presets) {
  std::vector<Config> configs;
  try {
    for (const auto& preset : presets) {
      // Evaluations (annealed Langevin for DSM: seconds) fall in one window and not another.
      Config c = apply_setting(load_preset(preset), "run.eval_every=0");
      if (!options.device.empty()) c = apply_setting(c, "run.device", options.device);
      configs.push_back(c);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scorelab: --bench-presets: %s\n", error_message(e).c_str());
    return 1;
  }
  std::printf("%-16s %6s %9s %7s %8s %11s %17s %6s %6s\n", "preset", "frames", "median ms",
              "p99 ms", "work p99", "app steps/s", "cli before/after", "ratio", "traces");
  for (size_t i = 0; i < presets.size(); ++i) {
    const std::string& preset = presets[i];
    const Config& config = configs[i];
    const double before = headless_rate(config, 8);
    AppOptions o = options;
    o.preset = preset;
    o.config_file.clear();
    o.stepper_busy = true;
    o.settings.push_back("run.eval_every=0");
    AppRunReport r;
    const int status = run_app(o, &r);
    if (status != 0) return status;
    const double after = headless_rate(config, 8);
    const double app = r.seconds > 0 ? r.updates / r.seconds : 0;
    const double cli = 0.5 * (before + after);
    std::printf("%-16s %6zu %9.1f %7.1f %8.1f %11.1f %8.1f/%-8.1f %5.0f%% %6d  (%s %s updates/s)\n",
                preset.c_str(), r.frame_ms.size(), percentile(r.frame_ms, 0.5),
                percentile(r.frame_ms, 0.99), percentile(r.work_ms, 0.99), app, before, after,
                cli > 0 ? 100 * app / cli : 0.0, r.langevin_traces, r.method.c_str(),
                r.network.c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace scorelab::ui
