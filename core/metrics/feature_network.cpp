#include "metrics/feature_network.h"

#include <torch/torch.h>

#include <cmath>
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
constexpr const char* kCacheVersion = "v2";

std::string serialize(FeatureClassifier& net) {
  torch::serialize::OutputArchive archive;
  net->save(archive);
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

}  // namespace

std::string ClassifierRecipe::name(const std::string& base) const {
  const ClassifierRecipe d;
  if (epochs == d.epochs && width == d.width && batch == d.batch && lr == d.lr && flip == d.flip &&
      seed == d.seed && train_limit == d.train_limit) {
    return base;
  }
  return base + "-w" + std::to_string(width) + "-e" + std::to_string(epochs) + "-b" +
         std::to_string(batch) + "-s" + std::to_string(seed) + (flip ? "" : "-noflip");
}

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
  o.width = recipe.width;
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
      const int64_t done = e * steps_per_epoch + s;
      // Cosine decay to 0 over the run.
      const double lr = 0.5 * recipe.lr * (1 + std::cos(M_PI * done / std::max<int64_t>(total, 1)));
      static_cast<torch::optim::AdamOptions&>(opt.param_groups()[0].options()).lr(lr);
      auto x = train.images.index_select(0, idx);
      if (recipe.flip) {
        auto mirror = (rng.rand({recipe.batch}) < 0.5).view({recipe.batch, 1, 1, 1});
        x = torch::where(mirror, x.flip({3}), x);
      }
      x = x.to(device);
      auto y = train.labels.index_select(0, idx).to(device);
      auto loss = torch::nn::functional::cross_entropy(f.net->forward(x), y);
      opt.zero_grad();
      loss.backward();
      opt.step();
      if (progress && ((done + 1) % 50 == 0 || done + 1 == total)) {
        running = loss.item<double>();
        progress(static_cast<double>(done + 1) / total, running);
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
    parts.push_back(
        net->features(images.narrow(0, i, m).to(device)).to(torch::kCPU, torch::kDouble));
  }
  return torch::cat(parts);
}

void save_feature_network(FeatureNetwork& f, const std::string& path) {
  const torch::Device device = f.net->parameters().front().device();
  f.net->to(torch::kCPU);
  const std::string bytes = serialize(f.net);
  f.net->to(device);
  f.checksum = hex64(fnv1a64(bytes.data(), bytes.size()));
  f.path = path;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) make_dirs(dir.string());
  write_file_atomically(path, bytes);
  const auto& o = f.net->options();
  const nlohmann::json meta = {
      {"name", f.name},         {"checksum", f.checksum}, {"test_accuracy", f.test_accuracy},
      {"channels", o.channels}, {"width", o.width},       {"features", o.features},
      {"classes", o.classes}};
  write_file_atomically(path + ".json", meta.dump(1) + "\n");
}

std::optional<FeatureNetwork> load_feature_network(const std::string& path, torch::Device device,
                                                   std::string* why) {
  auto fail = [&](const std::string& reason) -> std::optional<FeatureNetwork> {
    if (why) *why = path + ": " + reason;
    return std::nullopt;
  };
  if (!std::filesystem::exists(path) || !std::filesystem::exists(path + ".json")) {
    return fail("not cached yet");
  }
  try {
    const auto meta = nlohmann::json::parse(read_file(path + ".json"));
    const std::string bytes = read_file(path);
    const std::string sum = hex64(fnv1a64(bytes.data(), bytes.size()));
    if (sum != meta.at("checksum").get<std::string>()) {
      return fail("weights do not match their checksum (corrupt or changed)");
    }
    FeatureClassifierOptions o;
    o.channels = meta.at("channels").get<int64_t>();
    o.width = meta.at("width").get<int64_t>();
    o.features = meta.at("features").get<int64_t>();
    o.classes = meta.at("classes").get<int64_t>();
    FeatureNetwork f;
    f.net = FeatureClassifier(o, Rng(0, torch::kCPU));
    torch::serialize::InputArchive archive;
    std::istringstream in(bytes);
    archive.load_from(in);
    f.net->load(archive);
    f.net->to(device);
    f.net->eval();
    f.name = meta.at("name").get<std::string>();
    f.checksum = sum;
    f.test_accuracy = meta.at("test_accuracy").get<double>();
    f.path = path;
    return f;
  } catch (const std::exception& e) {
    return fail(std::string("unreadable (") + error_message(e) + ")");
  }
}

std::string fmnist_feature_network_path(const ClassifierRecipe& recipe) {
  return cache_dir() + "/" + recipe.name(kFmnistName) + "-" + kCacheVersion + ".pt";
}

FeatureNetwork fmnist_feature_network(const ProgressFn& progress, torch::Device device,
                                      bool retrain, const ClassifierRecipe& recipe) {
  const std::string path = fmnist_feature_network_path(recipe);
  if (!retrain) {
    if (auto cached = load_feature_network(path, device)) return std::move(*cached);
  }
  FeatureNetwork f = train_feature_classifier(
      load_fashion_mnist(true, false), load_fashion_mnist(false, false), recipe, progress, device);
  f.name = recipe.name(kFmnistName);
  save_feature_network(f, path);
  return f;
}

}  // namespace scorelab
