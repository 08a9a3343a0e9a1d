#pragma once
// Packs a module's parameters into one contiguous buffer, and their gradients into another, by
// rebinding every parameter (and its .grad) as a view. An optimizer step then is a handful of
// element-wise ops on two big tensors instead of a dozen ops per parameter tensor: for the small
// MLPs of the toy sets, per-op overhead is most of the cost.
#include <torch/nn/module.h>

#include <string>
#include <vector>

namespace scorelab {

class FlatParameters {
 public:
  struct Entry {
    std::string name;
    std::vector<int64_t> shape;
    int64_t offset = 0;
    int64_t numel = 0;
  };

  // The module must already be on its final device; moving it afterwards breaks the views.
  explicit FlatParameters(torch::nn::Module& module);

  torch::Tensor& data() { return data_; }
  torch::Tensor& grad() { return grad_; }
  const torch::Tensor& data() const { return data_; }
  const std::vector<Entry>& entries() const { return entries_; }
  int64_t numel() const { return data_.numel(); }
  void zero_grad() { grad_.zero_(); }

 private:
  torch::Tensor data_, grad_;
  std::vector<Entry> entries_;
};

}  // namespace scorelab
