#pragma once
// Image data sets held in memory as float tensors in [-1, 1]: MNIST-format IDX pairs
// (Fashion-MNIST from Debian's dataset-fashion-mnist by default) and CIFAR-10 binary batches.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace scorelab {

struct ImageSet {
  torch::Tensor images;  // [N, C, H, W] float32 in [-1, 1]
  torch::Tensor labels;  // [N] int64; undefined when the set came without labels
  std::string source;    // the files it came from, for messages
};

// Images from an IDX file of rank 3 (N, H, W) and, when labels_path is not empty, labels from
// an IDX file of rank 1 whose count must match. pad_to_32 pads 28x28 images with -1 (black) to
// 32x32, the size the U-Nets expect. Throws IoError naming the file and what is wrong.
ImageSet load_idx_images(const std::string& images_path, const std::string& labels_path,
                         bool pad_to_32);

// CIFAR-10 binary batches (data_batch_N.bin, test_batch.bin): records of one label byte and
// 3x32x32 pixel bytes. Throws IoError when a file is missing or not a whole number of records.
ImageSet load_cifar10_batches(const std::vector<std::string>& paths);
// One batch file's bytes (gunzipped) already in memory; `name` stands for it in messages.
ImageSet parse_cifar10_batch(const std::vector<uint8_t>& bytes, const std::string& name);

// Where Fashion-MNIST lives: $SCORELAB_FASHION_MNIST, else /usr/share/datasets/fashion-mnist.
std::string fashion_mnist_dir();
// The train (60000) or test (10000) split of Fashion-MNIST from `dir` ("" = fashion_mnist_dir()).
ImageSet load_fashion_mnist(bool train, bool pad_to_32, const std::string& dir = "");

// The ten class names of Fashion-MNIST, for labels in grids and logs.
const std::vector<std::string>& fashion_mnist_classes();

}  // namespace scorelab
