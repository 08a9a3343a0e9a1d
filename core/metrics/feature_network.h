#pragma once
// The FID feature network: trained once on a data set's training split, cached on disk with its
// checksum, and named in every figure it produces.
#include <torch/types.h>

#include <functional>
#include <string>

#include "data/image_datasets.h"
#include "models/feature_classifier.h"

namespace scorelab {

struct FeatureNetwork {
  FeatureClassifier net{nullptr};
  std::string name;      // e.g. "fmnist-classifier": FID figures read "FID (NAME features)"
  std::string checksum;  // FNV-1a of the cached weights file, hex
  double test_accuracy = 0;
  std::string path;      // the cache file
};

struct ClassifierRecipe {
  int epochs = 3;
  int64_t batch = 128;
  double lr = 2e-3;
  uint64_t seed = 0;
  int64_t train_limit = 0;  // 0 = the whole training split (tests use fewer)
};

// Called with the fraction done and the running loss.
using ProgressFn = std::function<void(double fraction, double loss)>;

// Trains the classifier with Adam on `train`; reports accuracy on `test`.
FeatureNetwork train_feature_classifier(const ImageSet& train, const ImageSet& test,
                                        const ClassifierRecipe& recipe, const ProgressFn& progress,
                                        torch::Device device);

// Fraction of `set` classified correctly.
double classifier_accuracy(FeatureClassifier& net, const ImageSet& set, torch::Device device);

// Penultimate features of images [N, C, H, W], in batches, as float64 on the CPU.
torch::Tensor extract_features(FeatureClassifier& net, const torch::Tensor& images,
                               torch::Device device, int64_t batch = 500);

// $SCORELAB_CACHE, else $XDG_CACHE_HOME/scorelab, else ~/.cache/scorelab.
std::string cache_dir();

// The Fashion-MNIST classifier from the cache, trained and cached first when missing (a few
// minutes on one CPU thread). A corrupt cache file is retrained and replaced, saying so through
// `progress`' caller. Writes are atomic.
FeatureNetwork fmnist_feature_network(const ProgressFn& progress, torch::Device device);

}  // namespace scorelab
