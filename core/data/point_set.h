#pragma once
// A finite set of points as training data (a file of points, a drawing): batches are drawn
// uniformly with replacement, and the set itself is its own empirical density, so exact
// scores at every σ are the empirical mixture's.
#include <string>

#include "data/dataset.h"

namespace scorelab {

class PointSetDataset : public Dataset {
 public:
  // points [N, D] (N ≥ 1, D ≥ 1); `source` names where they came from.
  PointSetDataset(torch::Tensor points, std::string source, bool standardized,
                  torch::Device device);

  std::string name() const override { return "points"; }
  std::string description() const override;
  torch::Tensor sample(int64_t n, const Rng& rng) const override;
  int64_t dim() const override { return cpu_.size(1); }
  torch::Tensor all_points() const override { return cpu_; }

 private:
  torch::Tensor cpu_;   // [N, D] float32
  torch::Tensor rows_;  // the same on the run's device
  std::string source_;
  bool standardized_;
};

// data.name = points: the file data.path, standardised per coordinate when data.standardize.
std::unique_ptr<PointSetDataset> load_point_dataset(const DataConfig& config, torch::Device device);

// (x − mean) / std per coordinate (a constant coordinate is only centred).
torch::Tensor standardize_points(const torch::Tensor& points);

}  // namespace scorelab
