#include "data/dataset.h"

#include <torch/torch.h>

#include <cmath>

#include "common/rng.h"
#include "config/config.h"
#include "data/image_dataset.h"
#include "data/point_set.h"
#include "data/toy_datasets.h"

namespace scorelab {

std::unique_ptr<Dataset> make_dataset(const DataConfig& config, torch::Device device) {
  if (is_image_dataset_name(config.name)) return load_image_dataset(config, device);
  if (config.name == "points") return load_point_dataset(config, device);
  return make_toy_dataset(config.name);
}

double measure_sigma_data(const Dataset& data) {
  torch::NoGradGuard no_grad;
  Rng rng(12345, torch::kCPU);
  auto x = data.sample(20000, rng).to(torch::kCPU, torch::kDouble);
  return std::sqrt(x.var(0).mean().item<double>());
}

}  // namespace scorelab
