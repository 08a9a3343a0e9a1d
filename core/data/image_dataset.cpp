#include "data/image_dataset.h"

#include <torch/torch.h>

#include <filesystem>

#include "common/cache_dir.h"
#include "common/error.h"
#include "common/rng.h"
#include "config/config.h"
#include "data/image_folder.h"

namespace scorelab {

ImageDataset::ImageDataset(std::string name, ImageSet train, ImageSet test, torch::Device device)
    : name_(std::move(name)), train_(std::move(train)), test_(std::move(test)) {
  if (!train_.images.defined() || train_.images.dim() != 4 || train_.images.size(0) < 1) {
    throw IoError(name_ + ": no training images");
  }
  shape_ = {train_.images.size(1), train_.images.size(2), train_.images.size(3)};
  rows_ = train_.images.reshape({train_.images.size(0), -1}).to(device, torch::kFloat);
}

std::string ImageDataset::description() const {
  return name_ + ": " + std::to_string(train_.images.size(0)) + " images of " +
         std::to_string(shape_.channels) + "x" + std::to_string(shape_.height) + "x" +
         std::to_string(shape_.width) + " from " + train_.source;
}

torch::Tensor ImageDataset::sample(int64_t n, const Rng& rng) const {
  auto idx = rng.randint(rows_.size(0), {n}).to(rows_.device());
  return rows_.index_select(0, idx).to(rng.device());
}

namespace {

ImageSet first(ImageSet s, int64_t limit) {
  if (limit > 0 && limit < s.images.size(0)) {
    s.images = s.images.narrow(0, 0, limit);
    if (s.labels.defined()) s.labels = s.labels.narrow(0, 0, limit);
  }
  return s;
}

std::vector<std::string> cifar_batches(const std::string& dir, bool train) {
  std::vector<std::string> paths;
  if (train) {
    for (int i = 1; i <= 5; ++i) paths.push_back(dir + "/data_batch_" + std::to_string(i) + ".bin");
  } else {
    paths.push_back(dir + "/test_batch.bin");
  }
  for (const auto& p : paths) {
    if (!std::filesystem::exists(p)) {
      throw IoError("CIFAR-10: no " + p + " (data.path must hold the binary version's batches)");
    }
  }
  return paths;
}

}  // namespace

std::unique_ptr<ImageDataset> load_fashion_mnist_set(const DataConfig& c, torch::Device device) {
  torch::NoGradGuard no_grad;
  return std::make_unique<ImageDataset>(c.name,
                                        first(load_fashion_mnist(true, c.pad32, c.path), c.limit),
                                        load_fashion_mnist(false, c.pad32, c.path), device);
}

std::unique_ptr<ImageDataset> load_mnist_idx_set(const DataConfig& c, torch::Device device) {
  torch::NoGradGuard no_grad;
  return std::make_unique<ImageDataset>(
      c.name, first(load_idx_images(c.path, "", c.pad32), c.limit), ImageSet{}, device);
}

std::unique_ptr<ImageDataset> load_cifar10_set(const DataConfig& c, torch::Device device) {
  torch::NoGradGuard no_grad;
  return std::make_unique<ImageDataset>(
      c.name, first(load_cifar10_batches(cifar_batches(c.path, true)), c.limit),
      load_cifar10_batches(cifar_batches(c.path, false)), device);
}

std::unique_ptr<ImageDataset> load_image_folder_set(const DataConfig& c, torch::Device device) {
  torch::NoGradGuard no_grad;
  ImageFolder folder = load_image_folder({c.path, c.image_size, c.channels, cache_dir()});
  auto data = std::make_unique<ImageDataset>(c.name, first(std::move(folder.set), c.limit),
                                             ImageSet{}, device);
  data->set_notice(skipped_summary(folder.skipped));
  return data;
}

}  // namespace scorelab
