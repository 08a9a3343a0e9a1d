#pragma once
// Sample quality of the one-step methods' presets after a short and a long CPU run: sliced W2
// beside its noise floor, and for the mixtures the modes covered and the high-quality rate.
#include <string>
#include <vector>

namespace scorelab::bench {

struct QualityOptions {
  std::vector<std::string> presets;  // e.g. swissroll-smt
  double short_seconds = 60;         // training time (steps only) of the first evaluation
  double long_seconds = 300;         // and of the second, in the same run
  int64_t samples = 10000;
  std::string device = "cpu";
};

// The presets of every method × data set the table covers, in table order.
std::vector<std::string> default_quality_presets();

// Trains each preset, evaluates at both marks, prints one row per preset (progress on stderr).
void print_quality_table(const QualityOptions& options);

}  // namespace scorelab::bench
