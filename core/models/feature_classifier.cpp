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
  // 28x28 inputs, two 2x poolings: 7x7 maps of 2w channels feed the feature layer.
  fc_ = register_module("fc", torch::nn::Linear(2 * w * 49, o.features));
  init_linear(fc_, rng);
  out_ = register_module("out", torch::nn::Linear(o.features, o.classes));
  init_linear(out_, rng);
}

torch::Tensor FeatureClassifierImpl::features(const torch::Tensor& images) {
  // Images padded to 32x32 (the U-Nets' size) are cropped back: the border holds no content.
  auto x = images.size(2) == 32 && images.size(3) == 32 ? images.narrow(2, 2, 28).narrow(3, 2, 28)
                                                        : images;
  auto h = torch::relu(c2_->forward(torch::relu(c1_->forward(x))));
  h = torch::max_pool2d(h, {2, 2});
  h = torch::relu(c4_->forward(torch::relu(c3_->forward(h))));
  h = torch::max_pool2d(h, {2, 2});
  if (h.size(2) != 7 || h.size(3) != 7) h = torch::adaptive_avg_pool2d(h, {7, 7});
  h = h.flatten(1);
  return torch::relu(fc_->forward(h));
}

torch::Tensor FeatureClassifierImpl::forward(const torch::Tensor& images) {
  return out_->forward(features(images));
}

}  // namespace scorelab
