#pragma once
// What the methods train on: a source of samples as rows [n, dim]. Toy sets are 2-D points;
// image sets are flattened images, so every method, loss and sampler works on rows whatever the
// data, and only the networks (a U-Net, a conv generator) and the displays see image shapes.
#include <torch/types.h>

#include <memory>
#include <string>

namespace scorelab {

class GaussianMixture;
class Rng;
struct DataConfig;

// channels × height × width of an image row; all 0 for points.
struct ImageShape {
  int64_t channels = 0, height = 0, width = 0;
  bool empty() const { return channels == 0; }
  int64_t numel() const { return channels * height * width; }
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  // n samples [n, dim], float32 on rng's device.
  virtual torch::Tensor sample(int64_t n, const Rng& rng) const = 0;
  virtual int64_t dim() const = 0;
  // The exact density when the set is a Gaussian mixture; nullptr otherwise.
  virtual const GaussianMixture* mixture() const { return nullptr; }
  // The whole set [N, D] on the CPU when it is a finite set of points (a file, a drawing), so
  // its exact scores are its own empirical mixture's; undefined otherwise.
  virtual torch::Tensor all_points() const { return {}; }
  // What the user should know about the data as loaded (files skipped, ...); "" = nothing.
  virtual std::string notice() const { return ""; }
  virtual ImageShape image_shape() const { return {}; }
  bool is_image() const { return !image_shape().empty(); }
};

// The data set a config names (toy or image); throws ConfigError / IoError naming the problem.
std::unique_ptr<Dataset> make_dataset(const DataConfig& config, torch::Device device);

// The data set's standard deviation (root of the mean per-coordinate variance), from up to 20k
// samples of a fixed seed: EDM's σ_data when the config leaves it at 0.
double measure_sigma_data(const Dataset& data);

}  // namespace scorelab
