#include "data/image_set_loaders.h"

#include <cstdlib>
#include <filesystem>

#include "common/error.h"
#include "data/idx_file.h"

namespace scorelab {

namespace {

// uint8 pixels [N, C, H, W] -> float in [-1, 1].
torch::Tensor to_unit_range(torch::Tensor bytes) {
  return bytes.to(torch::kFloat).div_(127.5).sub_(1.0);
}

torch::Tensor from_bytes(const std::vector<uint8_t>& data, std::vector<int64_t> shape) {
  // from_blob does not own (or write) the memory: clone while `data` is alive.
  return torch::from_blob(const_cast<uint8_t*>(data.data()), shape, torch::kUInt8).clone();
}

// As data.image_size's range for image folders.
constexpr int64_t kMaxImageSide = 256;

}  // namespace

ImageSet load_idx_images(const std::string& images_path, const std::string& labels_path,
                         bool pad_to_32) {
  IdxArray im = read_idx_file(images_path);
  if (im.dims.size() != 3) {
    throw IoError(images_path + ": an image file has rank 3 (count, height, width), this one has " +
                  std::to_string(im.dims.size()));
  }
  if (im.dims[0] == 0 || im.dims[1] == 0 || im.dims[2] == 0) {
    throw IoError(images_path + ": holds no images");
  }
  if (im.dims[1] > kMaxImageSide || im.dims[2] > kMaxImageSide) {
    // The image models here are built for small images; a folder of images can be scaled down
    // on loading (data.name=image-folder, data.image_size).
    throw IoError(images_path + ": images of " + std::to_string(im.dims[1]) + "x" +
                  std::to_string(im.dims[2]) + " are larger than the " +
                  std::to_string(kMaxImageSide) + "x" + std::to_string(kMaxImageSide) +
                  " scorelab trains on");
  }
  ImageSet s;
  s.source = images_path;
  auto px = from_bytes(im.data, {im.dims[0], 1, im.dims[1], im.dims[2]});
  s.images = to_unit_range(px);
  if (pad_to_32) {
    if (im.dims[1] > 32 || im.dims[2] > 32) {
      throw IoError(images_path + ": images of " + std::to_string(im.dims[1]) + "x" +
                    std::to_string(im.dims[2]) + " cannot be padded to 32x32");
    }
    const int64_t top = (32 - im.dims[1]) / 2, left = (32 - im.dims[2]) / 2;
    s.images = torch::constant_pad_nd(
        s.images, {left, 32 - im.dims[2] - left, top, 32 - im.dims[1] - top}, -1.0);
  }
  if (!labels_path.empty()) {
    IdxArray lb = read_idx_file(labels_path);
    if (lb.dims.size() != 1) {
      throw IoError(labels_path + ": a label file has rank 1, this one has " +
                    std::to_string(lb.dims.size()));
    }
    if (lb.dims[0] != im.dims[0]) {
      throw IoError(labels_path + ": " + std::to_string(lb.dims[0]) + " labels for " +
                    std::to_string(im.dims[0]) + " images in " + images_path);
    }
    s.labels = from_bytes(lb.data, {lb.dims[0]}).to(torch::kLong);
    s.source += " + " + labels_path;
  }
  return s;
}

ImageSet parse_cifar10_batch(const std::vector<uint8_t>& b, const std::string& path) {
  constexpr int64_t kRecord = 1 + 3 * 32 * 32;
  const int64_t size = static_cast<int64_t>(b.size());
  if (size == 0 || size % kRecord != 0) {
    throw IoError(path + ": " + std::to_string(size) +
                  " bytes is not a whole number of CIFAR-10 records (1 label + 3072 pixel "
                  "bytes each)");
  }
  auto rec = from_bytes(b, {size / kRecord, kRecord});
  auto lab = rec.select(1, 0).to(torch::kLong);
  if (lab.max().item<int64_t>() > 9) {
    throw IoError(path + ": label " + std::to_string(lab.max().item<int64_t>()) +
                  " out of range 0-9: not a CIFAR-10 binary batch");
  }
  ImageSet s;
  s.labels = lab;
  s.images = rec.narrow(1, 1, kRecord - 1).reshape({size / kRecord, 3, 32, 32});
  s.source = path;
  return s;
}

ImageSet load_cifar10_batches(const std::vector<std::string>& paths) {
  if (paths.empty()) throw IoError("CIFAR-10: no batch files given");
  std::vector<torch::Tensor> images, labels;
  ImageSet s;
  for (const auto& path : paths) {
    ImageSet batch = parse_cifar10_batch(read_maybe_gzip(path), path);
    labels.push_back(batch.labels);
    images.push_back(batch.images);
    s.source += (s.source.empty() ? "" : " + ") + path;
  }
  s.images = to_unit_range(torch::cat(images));
  s.labels = torch::cat(labels);
  return s;
}

std::string fashion_mnist_dir() {
  if (const char* env = std::getenv("SCORELAB_FASHION_MNIST")) return env;
  return "/usr/share/datasets/fashion-mnist";
}

ImageSet load_fashion_mnist(bool train, bool pad_to_32, const std::string& folder) {
  const std::string dir = folder.empty() ? fashion_mnist_dir() : folder;
  const std::string split = train ? "train" : "t10k";
  const std::string images = dir + "/" + split + "-images-idx3-ubyte.gz";
  if (!std::filesystem::exists(images)) {
    throw IoError("Fashion-MNIST not found: no " + images +
                  " (install Debian's dataset-fashion-mnist: scripts/install-deps.sh does, or set "
                  "SCORELAB_FASHION_MNIST to a folder with the four IDX files)");
  }
  return load_idx_images(images, dir + "/" + split + "-labels-idx1-ubyte.gz", pad_to_32);
}

const std::vector<std::string>& fashion_mnist_classes() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                                 "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                                 "Bag",         "Ankle boot"};
  return names;
}

}  // namespace scorelab
