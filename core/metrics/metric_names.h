#pragma once
// The names of the quality metrics, written once: the Trainer's curves and metrics.csv columns,
// the CLI's eval --json keys and the app's curves panel all use these.
#include <map>
#include <string>
#include <vector>

#include "metrics/toy_metrics.h"

namespace scorelab::metric {

inline const std::string sliced_w2 = "sliced_w2";
inline const std::string sliced_w2_floor = "sliced_w2_floor";  // real vs real, same size
inline const std::string energy = "energy";
inline const std::string high_quality_rate = "high_quality_rate";  // Gaussian mixtures only
inline const std::string modes_covered = "modes_covered";
inline const std::string nll = "nll";

// FID's floor beside FID itself (FidEvaluator::metric_name names the FID series).
inline std::string floor_of(const std::string& metric_name) {
  return metric_name + "_floor";
}

// The metrics a 2-D run evaluates: sliced W2, its floor and the energy distance, and for a
// Gaussian mixture the mode metrics and the true NLL.
inline std::vector<std::string> toy_metric_names(bool mixture) {
  std::vector<std::string> names = {sliced_w2, sliced_w2_floor, energy};
  if (mixture) names.insert(names.end(), {high_quality_rate, modes_covered, nll});
  return names;
}

// The values of those metrics, by name.
inline std::map<std::string, double> toy_metric_values(const SampleMetrics& m) {
  std::map<std::string, double> v = {
      {sliced_w2, m.sliced_w2}, {sliced_w2_floor, m.sliced_w2_floor}, {energy, m.energy}};
  if (m.modes) {
    v[high_quality_rate] = m.modes->high_quality_rate;
    v[modes_covered] = static_cast<double>(m.modes->modes_covered);
    v[nll] = m.modes->nll;
  }
  return v;
}

}  // namespace scorelab::metric
