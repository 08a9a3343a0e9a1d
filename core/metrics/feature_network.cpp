#include "metrics/feature_network.h"

#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/atomic_file.h"
#include "common/checksum.h"
#include "common/error.h"
#include "common/rng.h"

namespace scorelab {

namespace {

// Bump when the architecture or the recipe changes: old caches are then ignored, not misused.
constexpr const char* kFmnistName = "fmnist-classifier";
constexpr const char* kFmnistFile = "fmnist-classifier-v1";

std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string serialize(FeatureClassifier& net) {
  torch::serialize::OutputArchive archive;
  net->save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

}  // namespace

FeatureNetwork train_feature_classifier(const ImageSet& train, const ImageSet& test,
                                        const ClassifierRecipe& recipe, const ProgressFn& progress,
                                        torch::Device device) {
  if (!train.labels.defined() || !test.labels.defined()) {
    throw ConfigError("the feature classifier needs labelled images (" + train.source + ")");
  }
  const Rng rng(recipe.seed, torch::kCPU);
  FeatureClassifierOptions o;
  o.channels = train.images.size(1);
  o.classes = train.labels.max().item<int64_t>() + 1;
  FeatureNetwork f;
  f.net = FeatureClassifier(o, rng);
  f.net->to(device);
  f.net->train();
  torch::optim::Adam opt(f.net->parameters(), torch::optim::AdamOptions(recipe.lr));
  const int64_t n = recipe.train_limit > 0 ? std::min(recipe.train_limit, train.images.size(0))
                                           : train.images.size(0);
  const int64_t steps_per_epoch = n / recipe.batch;
  const int64_t total = steps_per_epoch * recipe.epochs;
  double running = 0;
  for (int e = 0; e < recipe.epochs; ++e) {
    auto order = rng.rand({n}).argsort();
    for (int64_t s = 0; s < steps_per_epoch; ++s) {
      auto idx = order.narrow(0, s * recipe.batch, recipe.batch);
      auto x = train.images.index_select(0, idx).to(device);
      auto y = train.labels.index_select(0, idx).to(device);
      auto loss = torch::nn::functional::cross_entropy(f.net->forward(x), y);
      opt.zero_grad();
      loss.backward();
      opt.step();
      const int64_t done = e * steps_per_epoch + s + 1;
      if (progress && (done % 50 == 0 || done == total)) {
        running = loss.item<double>();
        progress(static_cast<double>(done) / total, running);
      }
    }
  }
  f.net->eval();
  f.test_accuracy = classifier_accuracy(f.net, test, device);
  return f;
}

double classifier_accuracy(FeatureClassifier& net, const ImageSet& set, torch::Device device) {
  torch::NoGradGuard no_grad;
  int64_t right = 0;
  const int64_t n = set.images.size(0);
  for (int64_t i = 0; i < n; i += 1000) {
    const int64_t m = std::min<int64_t>(1000, n - i);
    auto logits = net->forward(set.images.narrow(0, i, m).to(device));
    right += logits.argmax(1).cpu().eq(set.labels.narrow(0, i, m)).sum().item<int64_t>();
  }
  return n ? static_cast<double>(right) / n : 0.0;
}

torch::Tensor extract_features(FeatureClassifier& net, const torch::Tensor& images,
                               torch::Device device, int64_t batch) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < images.size(0); i += batch) {
    const int64_t m = std::min(batch, images.size(0) - i);
    parts.push_back(net->features(images.narrow(0, i, m).to(device)).to(torch::kCPU, torch::kDouble));
  }
  return torch::cat(parts);
}

std::string cache_dir() {
  if (const char* d = std::getenv("SCORELAB_CACHE")) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME")) return std::string(x) + "/scorelab";
  if (const char* h = std::getenv("HOME")) return std::string(h) + "/.cache/scorelab";
  return (std::filesystem::temp_directory_path() / "scorelab-cache").string();
}

FeatureNetwork fmnist_feature_network(const ProgressFn& progress, torch::Device device) {
  const std::string dir = cache_dir();
  const std::string weights = dir + "/" + kFmnistFile + ".pt";
  const std::string info = dir + "/" + kFmnistFile + ".json";
  // The cached network, when its weights still match the checksum recorded beside them.
  if (std::filesystem::exists(weights) && std::filesystem::exists(info)) {
    try {
      const auto meta = nlohmann::json::parse(read_file(info));
      const std::string bytes = read_file(weights);
      const std::string sum = hex64(fnv1a64(bytes.data(), bytes.size()));
      if (sum == meta.at("checksum").get<std::string>()) {
        FeatureNetwork f;
        f.net = FeatureClassifier(FeatureClassifierOptions{}, Rng(0, torch::kCPU));
        torch::serialize::InputArchive archive;
        std::istringstream in(bytes);
        archive.load_from(in);
        f.net->load(archive);
        f.net->to(device);
        f.net->eval();
        f.name = kFmnistName;
        f.checksum = sum;
        f.test_accuracy = meta.at("test_accuracy").get<double>();
        f.path = weights;
        return f;
      }
    } catch (const std::exception&) {
      // Unreadable or mismatched: trained again below and replaced.
    }
  }
  FeatureNetwork f = train_feature_classifier(load_fashion_mnist(true, false),
                                              load_fashion_mnist(false, false), ClassifierRecipe{},
                                              progress, device);
  f.net->to(torch::kCPU);
  const std::string bytes = serialize(f.net);
  f.net->to(device);
  f.name = kFmnistName;
  f.checksum = hex64(fnv1a64(bytes.data(), bytes.size()));
  f.path = weights;
  make_dirs(dir);
  write_file_atomically(weights, bytes);
  const nlohmann::json meta = {{"name", f.name},
                               {"checksum", f.checksum},
                               {"test_accuracy", f.test_accuracy},
                               {"recipe", "Adam 2e-3, batch 128, 3 epochs, 28x28"}};
  write_file_atomically(info, meta.dump(1) + "\n");
  return f;
}

}  // namespace scorelab
