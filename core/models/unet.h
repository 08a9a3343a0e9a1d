#pragma once
// The image score model: a small U-Net F (residual blocks with GroupNorm and SiLU, optional
// self-attention at the lowest resolution, dropout) behind the same EDM preconditioning as the
// toy MLP, D(x; σ, α) = c_skip·x + c_out·F(c_in·x, c_noise, α). The noise level enters through
// Fourier features of ln σ / 4; SMT's α through its own Fourier features (scale 16) and linear
// layer, added before the SiLU. An optional discriminator head reads the bottleneck.
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "models/fourier_embedding.h"
#include "models/networks.h"

namespace scorelab {

class Rng;

struct UNetOptions {
  int64_t channels = 1;     // image channels (output; input unless in_channels)
  int64_t in_channels = 0;  // channels predict() reads; 0 = channels
  int64_t size = 0;         // image side, to read rows [B, C·size²]; 0 = images only
  int64_t base = 32;        // channels at the full resolution
  std::vector<int64_t> mults = {1, 2, 2};  // channel multiplier per resolution (halving each)
  int64_t blocks = 1;                      // residual blocks per resolution
  bool attention = false;                  // self-attention at the lowest resolution
  double dropout = 0.0;
  int64_t fourier_features = 16;
  double sigma_fourier_scale = 2.0;
  double sigma_data = 0.5;  // images in [-1, 1]
  bool alpha_conditioned = false;
  double alpha_fourier_scale = 16;
  bool disc_head = false;
};

// GroupNorm → SiLU → conv, plus the embedding as a per-channel bias, → GroupNorm → SiLU →
// dropout → conv (zero-initialised), added to a (1×1-projected) skip.
class ResBlockImpl : public torch::nn::Module {
 public:
  ResBlockImpl(int64_t in, int64_t out, int64_t emb, double dropout, const Rng& rng);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& emb);

 private:
  torch::nn::GroupNorm norm1_{nullptr}, norm2_{nullptr};
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr}, skip_{nullptr};
  torch::nn::Linear emb_proj_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(ResBlock);

// Single-head self-attention over the pixels, residual.
class AttentionBlockImpl : public torch::nn::Module {
 public:
  AttentionBlockImpl(int64_t channels, const Rng& rng);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::GroupNorm norm_{nullptr};
  torch::nn::Conv2d qkv_{nullptr}, out_{nullptr};
};
TORCH_MODULE(AttentionBlock);

class UNetImpl : public ScoreNetImpl {
 public:
  UNetImpl(const UNetOptions& options, const Rng& rng);

  // x_t [B, C, H, W], or rows [B, C·size²] (then the result is rows too); sigma and alpha hold
  // one value per sample ([B], [B, 1] or [B, 1, 1, 1]).
  torch::Tensor denoise(const torch::Tensor& x_t, const torch::Tensor& sigma,
                        const torch::Tensor& alpha = {}) override;
  // F(c_in·x, c_noise, α) without the skip (SMM's ε predictor); x has in_channels channels.
  torch::Tensor predict(const torch::Tensor& x, const torch::Tensor& sigma,
                        const torch::Tensor& alpha = {}) override;
  // The discriminator head on the bottleneck features: [B, 1].
  torch::Tensor logit(const torch::Tensor& x_t, const torch::Tensor& sigma,
                      const torch::Tensor& alpha = {}) override;

  const UNetOptions& options() const { return options_; }

 private:
  torch::Tensor embedding(const torch::Tensor& sigma, const torch::Tensor& alpha);
  // Rows [B, k·size²] as images [B, k, size, size]; images unchanged.
  torch::Tensor as_images(const torch::Tensor& x) const;
  // Runs the network; with `bottleneck`, stops there and stores the lowest-resolution features.
  torch::Tensor run(const torch::Tensor& x_in, const torch::Tensor& emb, torch::Tensor* bottleneck);

  UNetOptions options_;
  FourierEmbedding sigma_embed_{nullptr}, alpha_embed_{nullptr};
  torch::nn::Linear sigma_proj_{nullptr}, alpha_proj_{nullptr}, emb_out_{nullptr};
  torch::nn::Conv2d input_{nullptr}, output_{nullptr};
  torch::nn::GroupNorm out_norm_{nullptr}, head_norm_{nullptr};
  torch::nn::Linear head_{nullptr};
  std::vector<std::vector<ResBlock>> down_, up_;  // per resolution
  std::vector<ResBlock> mid_;
  AttentionBlock mid_attention_{nullptr};
};
TORCH_MODULE(UNet);

// Groups for GroupNorm over `channels`: 32 where it divides, fewer otherwise.
int64_t norm_groups(int64_t channels);

}  // namespace scorelab
