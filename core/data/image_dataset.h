#pragma once
// An image set as training data: the training images as rows [N, C·H·W] on the run's device,
// drawn uniformly with the run's Rng, and the held-out images FID compares against.
#include "data/dataset.h"
#include "data/image_set_loaders.h"

namespace scorelab {

class ImageDataset : public Dataset {
 public:
  // `train` and `test` as loaded (test may be empty: then FID holds out training images).
  ImageDataset(std::string name, ImageSet train, ImageSet test, torch::Device device);

  std::string name() const override { return name_; }
  std::string description() const override;
  torch::Tensor sample(int64_t n, const Rng& rng) const override;
  int64_t dim() const override { return shape_.numel(); }
  ImageShape image_shape() const override { return shape_; }

  // All training images [N, C, H, W] and the held-out split, on the CPU.
  const ImageSet& train() const { return train_; }
  const ImageSet& test() const { return test_; }

  std::string notice() const override { return notice_; }
  void set_notice(std::string notice) { notice_ = std::move(notice); }

 private:
  std::string name_;
  ImageSet train_, test_;
  ImageShape shape_;
  torch::Tensor rows_;  // [N, dim] on the device
  std::string notice_;
};

// The image sets (data/data_sources.cpp lists them under their data.name); data.pad32 pads
// 28 -> 32, data.limit keeps the first N training images.
// fashion-mnist: data.path = its folder ("" = the default); its test split is held out.
std::unique_ptr<ImageDataset> load_fashion_mnist_set(const DataConfig& config,
                                                     torch::Device device);
// mnist-idx: data.path = the images' IDX file (labels beside it are not needed).
std::unique_ptr<ImageDataset> load_mnist_idx_set(const DataConfig& config, torch::Device device);
// cifar10: data.path = the folder of the binary version's batches.
std::unique_ptr<ImageDataset> load_cifar10_set(const DataConfig& config, torch::Device device);
// image-folder: data.path = a folder of PNG/JPEG/BMP, data.image_size, data.channels.
std::unique_ptr<ImageDataset> load_image_folder_set(const DataConfig& config, torch::Device device);

}  // namespace scorelab
