#include "models/generator_mlp.h"

#include <torch/torch.h>

#include <stdexcept>

#include "models/fourier_embedding.h"
#include "models/init.h"

namespace scorelab {

namespace {
constexpr double kLeak = 0.2;

std::vector<torch::nn::Linear> make_stack(torch::nn::Module& m, int64_t in, int64_t hidden,
                                          int64_t layers, int64_t out, const Rng& rng) {
  std::vector<torch::nn::Linear> stack;
  int64_t width = in;
  for (int64_t i = 0; i <= layers; ++i) {
    const int64_t next = i == layers ? out : hidden;
    stack.push_back(m.register_module("layer" + std::to_string(i), torch::nn::Linear(width, next)));
    init_linear(stack.back(), rng);
    width = next;
  }
  return stack;
}

std::vector<DenseRef> dense_refs(const std::vector<torch::nn::Linear>& stack) {
  std::vector<DenseRef> refs;
  for (const auto& l : stack) refs.push_back({l->weight, l->bias});
  return refs;
}
}  // namespace

GeneratorMLPImpl::GeneratorMLPImpl(const GeneratorMLPOptions& o, const Rng& rng) : options_(o) {
  layers_ = make_stack(*this, o.z_dim, o.hidden, o.layers, o.dim, rng);
}

torch::Tensor GeneratorMLPImpl::forward(const torch::Tensor& z) {
  if (options_.fused && layers_.size() > 1 && FusedMlp::supports(z, {}, {}, layers_[0]->weight)) {
    FusedMlpCall c;
    c.activation = MlpActivation::leaky_relu;
    c.leak = options_.leak;
    c.layers = dense_refs(layers_);
    return fused_.forward(c, z, {}, {});
  }
  auto h = z;
  for (size_t i = 0; i + 1 < layers_.size(); ++i) {
    h = torch::leaky_relu(layers_[i]->forward(h), options_.leak);
  }
  return layers_.back()->forward(h);
}

DiscriminatorMLPImpl::DiscriminatorMLPImpl(const DiscriminatorMLPOptions& o, const Rng& rng)
    : options_(o) {
  if (o.sigma_conditioned) {
    sigma_embed_ = register_module(
        "sigma_embed", FourierEmbedding(o.fourier_features, o.sigma_fourier_scale, rng));
    sigma_proj_ =
        register_module("sigma_proj", torch::nn::Linear(sigma_embed_->out_features(), o.hidden));
    init_linear(sigma_proj_, rng);
  }
  layers_ = make_stack(*this, o.dim, o.hidden, o.layers, 1, rng);
}

torch::Tensor DiscriminatorMLPImpl::forward(const torch::Tensor& x, const torch::Tensor& sigma) {
  const torch::Tensor s = options_.sigma_conditioned ? sigma : torch::Tensor();
  if (options_.sigma_conditioned && !sigma.defined()) {
    throw std::invalid_argument("DiscriminatorMLP: this model needs sigma");
  }
  if (options_.fused && layers_.size() > 1 && FusedMlp::supports(x, s, {}, layers_[0]->weight)) {
    FusedMlpCall c;
    c.activation = MlpActivation::leaky_relu;
    c.leak = kLeak;
    c.layers = dense_refs(layers_);
    if (options_.sigma_conditioned) {
      c.sigma_embed = {sigma_embed_->freqs(), {sigma_proj_->weight, sigma_proj_->bias}};
      c.sigma_data = options_.sigma_data;
      c.scale_input = true;
    }
    return fused_.forward(c, x, s, {});
  }
  torch::Tensor h;
  if (options_.sigma_conditioned) {
    const double sd2 = options_.sigma_data * options_.sigma_data;
    auto c_in = (sigma * sigma + sd2).rsqrt();
    auto cond = sigma_proj_->forward(sigma_embed_->forward(sigma.log() * 0.25));
    h = torch::leaky_relu(layers_[0]->forward(x * c_in) + cond, kLeak);
  } else {
    h = torch::leaky_relu(layers_[0]->forward(x), kLeak);
  }
  for (size_t i = 1; i + 1 < layers_.size(); ++i) {
    h = torch::leaky_relu(layers_[i]->forward(h), kLeak);
  }
  return layers_.back()->forward(h);
}

}  // namespace scorelab
