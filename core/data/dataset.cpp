#include "data/dataset.h"

#include <torch/torch.h>

#include <cmath>

#include "common/rng.h"
#include "config/config.h"
#include "data/data_sources.h"

namespace scorelab {

std::unique_ptr<Dataset> make_dataset(const DataConfig& config, torch::Device device) {
  return data_source(config.name).load(config, device);
}

double measure_sigma_data(const Dataset& data) {
  torch::NoGradGuard no_grad;
  Rng rng(12345, torch::kCPU);
  auto x = data.sample(20000, rng).to(torch::kCPU, torch::kDouble);
  return std::sqrt(x.var(0).mean().item<double>());
}

}  // namespace scorelab
