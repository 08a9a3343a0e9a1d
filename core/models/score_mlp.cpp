#include "models/score_mlp.h"

#include <torch/torch.h>

#include <stdexcept>

#include "common/rng.h"
#include "models/init.h"

namespace scorelab {

ScoreMLPImpl::ScoreMLPImpl(const ScoreMLPOptions& o, const Rng& rng) : options_(o) {
  const int64_t h = o.hidden;
  sigma_embed_ = register_module("sigma_embed",
                                 FourierEmbedding(o.fourier_features, o.sigma_fourier_scale, rng));
  sigma_proj_ = register_module("sigma_proj", torch::nn::Linear(sigma_embed_->out_features(), h));
  init_linear(sigma_proj_, rng);
  if (o.alpha_conditioned) {
    alpha_embed_ = register_module(
        "alpha_embed", FourierEmbedding(o.fourier_features, o.alpha_fourier_scale, rng));
    alpha_proj_ = register_module("alpha_proj", torch::nn::Linear(alpha_embed_->out_features(), h));
    init_linear(alpha_proj_, rng);
  }
  input_ = register_module("input", torch::nn::Linear(o.in_dim > 0 ? o.in_dim : o.dim, h));
  init_linear(input_, rng);
  for (int64_t i = 1; i < o.layers; ++i) {
    hidden_.push_back(register_module("hidden" + std::to_string(i), torch::nn::Linear(h, h)));
    init_linear(hidden_.back(), rng);
  }
  output_ = register_module("output", torch::nn::Linear(h, o.dim));
  init_linear(output_, rng);
  if (o.disc_head) {
    head_ = register_module("disc_head", torch::nn::Linear(h, 1));
    init_linear(head_, rng);
  }
}

bool ScoreMLPImpl::use_fused(const torch::Tensor& x, const torch::Tensor& sigma,
                             const torch::Tensor& alpha) const {
  if (!options_.fused || !fused_allowed_) return false;
  if (options_.alpha_conditioned && !alpha.defined()) {
    throw std::invalid_argument("ScoreMLP: this model needs alpha");
  }
  return FusedMlp::supports(x, sigma, options_.alpha_conditioned ? alpha : torch::Tensor(),
                            input_->weight);
}

FusedMlpCall ScoreMLPImpl::fused_call(bool head, bool denoise) const {
  FusedMlpCall c;
  c.activation = MlpActivation::silu;
  c.layers.push_back({input_->weight, input_->bias});
  for (const auto& l : hidden_) c.layers.push_back({l->weight, l->bias});
  const auto& last = head ? head_ : output_;
  c.layers.push_back({last->weight, last->bias});
  c.sigma_embed = {sigma_embed_->freqs(), {sigma_proj_->weight, sigma_proj_->bias}};
  if (options_.alpha_conditioned) {
    c.alpha_embed = {alpha_embed_->freqs(), {alpha_proj_->weight, alpha_proj_->bias}};
  }
  c.silu_condition = true;
  c.sigma_data = options_.sigma_data;
  c.scale_input = true;
  c.denoise = denoise;
  return c;
}

torch::Tensor ScoreMLPImpl::features(const torch::Tensor& x_in, const torch::Tensor& c_noise,
                                     const torch::Tensor& alpha) {
  auto cond = sigma_proj_->forward(sigma_embed_->forward(c_noise));
  if (options_.alpha_conditioned) {
    if (!alpha.defined()) throw std::invalid_argument("ScoreMLP: this model needs alpha");
    cond = cond + alpha_proj_->forward(alpha_embed_->forward(alpha - 0.5));
  }
  auto h = torch::silu(input_->forward(x_in) + torch::silu(cond));
  for (auto& layer : hidden_) h = torch::silu(layer->forward(h));
  return h;
}

torch::Tensor ScoreMLPImpl::raw(const torch::Tensor& x_in, const torch::Tensor& c_noise,
                                const torch::Tensor& alpha) {
  return output_->forward(features(x_in, c_noise, alpha));
}

torch::Tensor ScoreMLPImpl::predict(const torch::Tensor& x, const torch::Tensor& sigma,
                                    const torch::Tensor& alpha) {
  if (use_fused(x, sigma, alpha)) return fused_.forward(fused_call(false, false), x, sigma, alpha);
  const double sd = options_.sigma_data;
  return raw(x * (sigma * sigma + sd * sd).rsqrt(), sigma.log() * 0.25, alpha);
}

torch::Tensor ScoreMLPImpl::logit(const torch::Tensor& x_t, const torch::Tensor& sigma,
                                  const torch::Tensor& alpha) {
  if (!options_.disc_head) throw std::invalid_argument("ScoreMLP: this model has no disc head");
  if (use_fused(x_t, sigma, alpha)) {
    return fused_.forward(fused_call(true, false), x_t, sigma, alpha);
  }
  const double sd = options_.sigma_data;
  return head_->forward(
      features(x_t * (sigma * sigma + sd * sd).rsqrt(), sigma.log() * 0.25, alpha));
}

torch::Tensor ScoreMLPImpl::denoise(const torch::Tensor& x_t, const torch::Tensor& sigma,
                                    const torch::Tensor& alpha) {
  if (use_fused(x_t, sigma, alpha)) {
    return fused_.forward(fused_call(false, true), x_t, sigma, alpha);
  }
  const double sd = options_.sigma_data;
  auto var = sigma * sigma + sd * sd;
  auto inv_std = var.rsqrt();
  auto c_skip = (sd * sd) * var.reciprocal();
  auto c_out = sigma * sd * inv_std;
  auto c_noise = sigma.log() * 0.25;
  return c_skip * x_t + c_out * raw(x_t * inv_std, c_noise, alpha);
}

}  // namespace scorelab
