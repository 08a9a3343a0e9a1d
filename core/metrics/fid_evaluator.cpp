#include "metrics/fid_evaluator.h"

#include <torch/torch.h>

#include "common/error.h"
#include "data/image_dataset.h"
#include "models/feature_classifier.h"

namespace scorelab {

bool fid_applies(int64_t channels, int64_t height, int64_t width) {
  return channels == 1 && height == width && (height == 28 || height == 32);
}

namespace {
// The held-out reference images: the test split, or half the training images without one.
int64_t reference_count(const ImageDataset& data, int64_t reference_size) {
  const auto& test = data.test().images;
  if (test.defined() && test.size(0) > 0) return std::min(reference_size, test.size(0));
  return std::min(reference_size, data.train().images.size(0) / 2);
}
}  // namespace

std::string fid_unavailable(const ImageDataset& data, int64_t eval_samples) {
  const ImageShape shape = data.image_shape();
  if (!fid_applies(shape.channels, shape.height, shape.width)) {
    return "the feature network is Fashion-MNIST's (gray 28x28 or 32x32) and these images are " +
           std::to_string(shape.channels) + "x" + std::to_string(shape.height) + "x" +
           std::to_string(shape.width);
  }
  const int64_t dim = FeatureClassifierOptions{}.features;
  const int64_t held_out = reference_count(data, 10000);
  if (held_out <= dim) {
    return "FID needs more than " + std::to_string(dim) +
           " held-out reference images (a covariance of its " + std::to_string(dim) +
           " features) and " + data.name() + " gives " + std::to_string(held_out);
  }
  return fid_unavailable_for_samples(eval_samples);
}

std::string fid_unavailable_for_samples(int64_t eval_samples) {
  const int64_t dim = FeatureClassifierOptions{}.features;
  if (eval_samples > dim) return "";
  return "run.eval_samples = " + std::to_string(eval_samples) +
         " is too few for FID (it needs more than " + std::to_string(dim) + ")";
}

std::string FidEvaluator::fid_label(const std::string& network_name) {
  return "FID (" + network_name + " features)";
}

std::string FidEvaluator::fid_metric_name(const std::string& network_name) {
  std::string s = "fid_" + network_name;
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

FidEvaluator::FidEvaluator(const ImageDataset& data, torch::Device device,
                           const ProgressFn& progress, int64_t reference_size)
    : device_(device) {
  const ImageShape shape = data.image_shape();
  if (!fid_applies(shape.channels, shape.height, shape.width)) {
    throw ConfigError(
        "FID here uses a Fashion-MNIST classifier's features, which read one "
        "channel of 28x28 or 32x32; " +
        data.name() + " has " + std::to_string(shape.channels) + "x" +
        std::to_string(shape.height) + "x" + std::to_string(shape.width));
  }
  channels_ = shape.channels;
  side_ = shape.height;
  net_ = fmnist_feature_network(progress, device);
  torch::NoGradGuard no_grad;
  const auto& train = data.train().images;
  const int64_t n_train = train.size(0);
  torch::Tensor reference, real;
  if (data.test().images.defined() && data.test().images.size(0) > 0) {
    const auto& test = data.test().images;
    reference = test.narrow(0, 0, std::min(reference_size, test.size(0)));
    real = train.narrow(0, 0, std::min(reference_size, n_train));
  } else {
    // No split: two disjoint halves of the training images.
    const int64_t half = std::min(reference_size, n_train / 2);
    real = train.narrow(0, 0, half);
    reference = train.narrow(0, n_train - half, half);
  }
  reference_ = fit_gaussian(features(reference), data.name() + " reference images");
  floor_ =
      frechet_distance(fit_gaussian(features(real), data.name() + " training images"), reference_);
}

torch::Tensor FidEvaluator::features(const torch::Tensor& images) {
  auto x = images.reshape({images.size(0), channels_, side_, side_});
  return extract_features(net_.net, x, device_);
}

double FidEvaluator::fid(const torch::Tensor& rows) {
  torch::NoGradGuard no_grad;
  auto x = rows.to(torch::kFloat).clamp(-1, 1);  // as images are shown and stored
  if (!torch::isfinite(x).all().item<bool>()) {
    throw std::runtime_error("FID: the generated images hold nan or inf values");
  }
  return frechet_distance(fit_gaussian(features(x), "generated images"), reference_);
}

}  // namespace scorelab
