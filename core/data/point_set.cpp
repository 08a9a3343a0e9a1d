#include "data/point_set.h"

#include <torch/torch.h>

#include "common/error.h"
#include "common/rng.h"
#include "config/config.h"
#include "data/point_file.h"

namespace scorelab {

PointSetDataset::PointSetDataset(torch::Tensor points, std::string source, bool standardized,
                                 torch::Device device)
    : cpu_(points.to(torch::kCPU, torch::kFloat).contiguous()),
      rows_(cpu_.to(device)),
      source_(std::move(source)),
      standardized_(standardized) {
  if (cpu_.dim() != 2 || cpu_.size(0) < 1 || cpu_.size(1) < 1) {
    throw std::invalid_argument("PointSetDataset: points must be [N >= 1, D >= 1]");
  }
}

std::string PointSetDataset::description() const {
  return std::to_string(cpu_.size(0)) + " points of " + std::to_string(cpu_.size(1)) +
         " coordinates from " + source_ + (standardized_ ? ", standardised" : "");
}

torch::Tensor PointSetDataset::sample(int64_t n, const Rng& rng) const {
  auto idx = rng.randint(rows_.size(0), {n}).to(rows_.device());
  return rows_.index_select(0, idx).to(rng.device());
}

torch::Tensor standardize_points(const torch::Tensor& points) {
  auto p = points.to(torch::kDouble);
  auto mean = p.mean(0, true);
  auto sd = p.std(0, false, true);
  sd = torch::where(sd > 0, sd, torch::ones_like(sd));
  return ((p - mean) / sd).to(torch::kFloat);
}

std::unique_ptr<PointSetDataset> load_point_dataset(const DataConfig& config,
                                                    torch::Device device) {
  if (config.path.empty()) {
    throw ConfigError("data.name = points needs data.path (a CSV/TSV or .npy file of points)");
  }
  PointTable t = read_point_file(config.path);
  auto p = config.standardize ? standardize_points(t.points) : t.points;
  return std::make_unique<PointSetDataset>(p, config.path, config.standardize, device);
}

}  // namespace scorelab
