#include "models/feature_classifier.h"

#include <torch/torch.h>

#include "common/rng.h"
#include "models/init.h"

namespace scorelab {

namespace {

torch::nn::Conv2d conv3(int64_t in, int64_t out, const Rng& rng) {
  torch::nn::Conv2d c(torch::nn::Conv2dOptions(in, out, 3).padding(1));
  init_conv2d(c, rng);
  return c;
}

}  // namespace

FeatureClassifierImpl::FeatureClassifierImpl(const FeatureClassifierOptions& o, const Rng& rng)
    : options_(o) {
  const int64_t w = o.width;
  c1_ = register_module("c1", conv3(o.channels, w, rng));
  c2_ = register_module("c2", conv3(w, w, rng));
  c3_ = register_module("c3", conv3(w, 2 * w, rng));
  c4_ = register_module("c4", conv3(2 * w, 2 * w, rng));
  // Two 2x poolings then a 4x4 adaptive pool: the same head for 28- and 32-pixel images.
  fc_ = register_module("fc", torch::nn::Linear(2 * w * 16, o.features));
  init_linear(fc_, rng);
  out_ = register_module("out", torch::nn::Linear(o.features, o.classes));
  init_linear(out_, rng);
}

torch::Tensor FeatureClassifierImpl::features(const torch::Tensor& images) {
  auto h = torch::relu(c2_->forward(torch::relu(c1_->forward(images))));
  h = torch::max_pool2d(h, {2, 2});
  h = torch::relu(c4_->forward(torch::relu(c3_->forward(h))));
  h = torch::max_pool2d(h, {2, 2});
  h = torch::adaptive_avg_pool2d(h, {4, 4}).flatten(1);
  return torch::relu(fc_->forward(h));
}

torch::Tensor FeatureClassifierImpl::forward(const torch::Tensor& images) {
  return out_->forward(features(images));
}

}  // namespace scorelab
