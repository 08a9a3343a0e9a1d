#pragma once
// `scorelab --bench-frames N`: for each preset, the app's frame times and its training speed with
// the sampling stepper tracing all the while, beside the same config's speed with no window.
#include <string>
#include <vector>

#include "app.h"

namespace scorelab::ui {

// Prints one row per preset; returns the exit status (0, or the first failing run's).
int run_frame_bench(const AppOptions& options, const std::vector<std::string>& presets);

}  // namespace scorelab::ui
