#include "phase_table.h"

#include <cstdio>

namespace scorelab::bench {

void print_phase_table(PhaseTimer& timer, const std::map<std::string, int64_t>& steps_per_phase,
                       const char* clock_name) {
  const auto totals = timer.totals();
  std::map<std::string, double> phase_seconds;
  for (const auto& [key, t] : totals) phase_seconds[key.first] += t.seconds;
  std::printf("  time per step by section (eager steps, %s):\n", clock_name);
  std::printf("    %-12s %-10s %10s %7s %8s\n", "phase", "section", "ms/step", "share", "calls");
  for (const auto& [key, t] : totals) {
    const auto steps = steps_per_phase.find(key.first);
    if (steps == steps_per_phase.end() || steps->second == 0) continue;
    const double per_step = 1e3 * t.seconds / static_cast<double>(steps->second);
    const double share = phase_seconds[key.first] > 0 ? t.seconds / phase_seconds[key.first] : 0;
    std::printf("    %-12s %-10s %10.3f %6.1f%% %8.2f\n", key.first.c_str(), key.second.c_str(),
                per_step, 100 * share,
                static_cast<double>(t.count) / static_cast<double>(steps->second));
  }
  for (const auto& [phase, seconds] : phase_seconds) {
    const auto steps = steps_per_phase.find(phase);
    if (steps == steps_per_phase.end() || steps->second == 0) continue;
    std::printf("    %-12s %-10s %10.3f   (%lld steps)\n", phase.c_str(), "all",
                1e3 * seconds / static_cast<double>(steps->second),
                static_cast<long long>(steps->second));
  }
}

}  // namespace scorelab::bench
