#pragma once
// Sample-quality metrics for the 2D sets (methods.md §7).
#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

namespace scorelab {

class GaussianMixture;
class Dataset;

// Sliced Wasserstein-2: the root of the mean, over `projections` random unit directions, of the
// squared W2 distance between the 1D projections (sorted samples). Sets of unequal size are cut
// to the smaller. Directions come from `seed`, so two calls with one seed use the same ones.
double sliced_w2(const torch::Tensor& a, const torch::Tensor& b, int64_t projections,
                 uint64_t seed);

// Energy distance 2E‖X−Y‖ − E‖X−X'‖ − E‖Y−Y'‖ (V-statistic), on at most max_n points a side.
double energy_distance(const torch::Tensor& a, const torch::Tensor& b, int64_t max_n = 2000);

// For Gaussian-mixture data. Each sample goes to the component with the highest posterior.
//  high_quality_rate: fraction within 3 std of the nearest mean (in std units);
//  modes_covered: components holding at least max(5, 10% of N·w_k) high-quality samples;
//  mode_weights: fraction of all samples assigned to each component;
//  nll: −mean log p(x) under the true density.
struct ModeMetrics {
  int64_t modes_covered = 0;
  int64_t modes_total = 0;
  double high_quality_rate = 0;
  std::vector<double> mode_weights;
  std::vector<double> true_mode_weights;
  double nll = 0;
};
ModeMetrics mode_metrics(const torch::Tensor& samples, const GaussianMixture& mixture);

struct SampleMetrics {
  int64_t n = 0;
  double sliced_w2 = 0;
  double sliced_w2_floor = 0;  // between independent real sets of the same size (RMS of 4 pairs)
  double energy = 0;
  int64_t non_finite = 0;  // samples with a NaN or inf coordinate (dropped before metrics)
  std::optional<ModeMetrics> modes;
};

// All metrics of generated samples against fresh real samples of the same size.
SampleMetrics evaluate_samples(const torch::Tensor& generated, const Dataset& data, uint64_t seed,
                               int64_t projections = 256);

}  // namespace scorelab
