#pragma once
// The FID feature network: a small CNN classifier trained by scorelab on an image set's training
// split (Inception weights cannot be fetched here). Its penultimate layer gives the features;
// every FID figure names the network ("FID (fmnist-classifier features)").
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <string>

namespace scorelab {

class Rng;

struct FeatureClassifierOptions {
  int64_t channels = 1;    // image channels
  int64_t width = 16;      // channels of the first convolutions (doubled after the first pool)
  int64_t features = 128;  // penultimate width: the FID feature dimension
  int64_t classes = 10;
};

class FeatureClassifierImpl : public torch::nn::Module {
 public:
  FeatureClassifierImpl(const FeatureClassifierOptions& options, const Rng& rng);
  // Images [B, C, H, W] in [-1, 1] → features [B, features]. Made for 28x28; 32x32 images are
  // centre-cropped to 28, other sizes pooled to the same 7x7 maps.
  torch::Tensor features(const torch::Tensor& images);
  // → class logits [B, classes].
  torch::Tensor forward(const torch::Tensor& images);
  const FeatureClassifierOptions& options() const { return options_; }

 private:
  FeatureClassifierOptions options_;
  torch::nn::Conv2d c1_{nullptr}, c2_{nullptr}, c3_{nullptr}, c4_{nullptr};
  torch::nn::Linear fc_{nullptr}, out_{nullptr};
};
TORCH_MODULE(FeatureClassifier);

}  // namespace scorelab
