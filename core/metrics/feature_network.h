#pragma once
// The FID feature network: trained once on a data set's training split, cached on disk with its
// checksum, and named in every figure it produces.
#include <torch/types.h>

#include <functional>
#include <optional>
#include <string>

#include "common/cache_dir.h"
#include "data/image_set_loaders.h"
#include "models/feature_classifier.h"

namespace scorelab {

struct FeatureNetwork {
  FeatureClassifier net{nullptr};
  std::string name;      // e.g. "fmnist-classifier": FID figures read "FID (NAME features)"
  std::string checksum;  // FNV-1a of the cached weights file, hex
  double test_accuracy = 0;
  std::string path;  // the cache file
};

// Adam with a cosine decay of the learning rate to 0, random horizontal flips.
struct ClassifierRecipe {
  int epochs = 8;
  int64_t width = 16;  // FeatureClassifierOptions::width
  int64_t batch = 128;
  double lr = 2e-3;
  bool flip = true;
  uint64_t seed = 0;
  int64_t train_limit = 0;  // 0 = the whole training split (tests use fewer)

  // "fmnist-classifier" for the default recipe, "fmnist-classifier-w32-e8" for another.
  std::string name(const std::string& base) const;
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

// Writes the network's weights to `path` and its name, checksum and accuracy to path + ".json",
// each atomically; fills f.checksum and f.path.
void save_feature_network(FeatureNetwork& f, const std::string& path);
// The network saved at `path`, or nothing when a file is missing, unreadable or its weights no
// longer match the recorded checksum (`why` then says which).
std::optional<FeatureNetwork> load_feature_network(const std::string& path, torch::Device device,
                                                   std::string* why = nullptr);

// Where the Fashion-MNIST classifier of `recipe` is cached.
std::string fmnist_feature_network_path(const ClassifierRecipe& recipe = {});
// The Fashion-MNIST classifier from the cache, trained (a few minutes on one CPU thread) and
// cached first when missing, corrupt or `retrain`.
FeatureNetwork fmnist_feature_network(const ProgressFn& progress, torch::Device device,
                                      bool retrain = false, const ClassifierRecipe& recipe = {});

}  // namespace scorelab
