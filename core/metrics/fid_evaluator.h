#pragma once
// FID of generated images against an image set's held-out split, through the cached
// Fashion-MNIST classifier's features. Every figure it gives is labelled with that network
// ("FID (fmnist-classifier features)"): the number means nothing without it.
#include <torch/types.h>

#include <string>

#include "metrics/feature_network.h"
#include "metrics/frechet_distance.h"

namespace scorelab {

class ImageDataset;

class FidEvaluator {
 public:
  // Loads the feature network (training and caching it first when missing: minutes on a CPU,
  // with `progress`), fits the reference statistics on the held-out split (up to
  // reference_size images; training images past the first reference_size when the set has
  // no split) and the floor: the same distance from reference_size training images.
  // Throws ConfigError for images the network cannot read (not one channel of 28 or 32).
  FidEvaluator(const ImageDataset& data, torch::Device device, const ProgressFn& progress,
               int64_t reference_size = 10000);

  // FID of image rows [N, dim] (any device); N must exceed the feature dimension.
  double fid(const torch::Tensor& rows);
  // The real-vs-real value (train vs test) of the same size: what a perfect model would score.
  double floor() const { return floor_; }

  const FeatureNetwork& network() const { return net_; }
  // "FID (fmnist-classifier features)"
  std::string label() const { return fid_label(net_.name); }
  // "fid_fmnist_classifier": the metrics.csv column
  std::string metric_name() const { return fid_metric_name(net_.name); }

  static std::string fid_label(const std::string& network_name);
  static std::string fid_metric_name(const std::string& network_name);

 private:
  torch::Tensor features(const torch::Tensor& images);

  FeatureNetwork net_;
  torch::Device device_;
  int64_t channels_, side_;
  GaussianFit reference_;
  double floor_ = 0;
};

// Whether FID applies to images of this shape (one channel, 28 or 32 pixels square).
bool fid_applies(int64_t channels, int64_t height, int64_t width);

// Why a run on `data` gets no FID ("" when it does): images the feature network cannot read, or
// too few held-out images or evaluation samples for a covariance of the feature dimension.
std::string fid_unavailable(const ImageDataset& data, int64_t eval_samples);
// The evaluation-samples part of it alone.
std::string fid_unavailable_for_samples(int64_t eval_samples);

}  // namespace scorelab
