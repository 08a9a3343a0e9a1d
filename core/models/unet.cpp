#include "models/unet.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "common/rng.h"
#include "models/init.h"

namespace scorelab {

namespace F = torch::nn::functional;

int64_t norm_groups(int64_t channels) {
  for (int64_t g : {32, 16, 8, 4, 2}) {
    if (channels % g == 0 && channels / g >= 2) return g;
  }
  return 1;
}

namespace {

torch::nn::GroupNorm group_norm(int64_t channels) {
  return torch::nn::GroupNorm(torch::nn::GroupNormOptions(norm_groups(channels), channels));
}

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t k, const Rng& rng, double scale = 1.0) {
  torch::nn::Conv2d c(torch::nn::Conv2dOptions(in, out, k).padding(k / 2));
  init_conv2d(c, rng, scale);
  return c;
}

// One value per sample as [B, 1], whatever the caller's shape.
torch::Tensor per_sample(const torch::Tensor& v, int64_t batch) {
  return v.reshape({batch, 1});
}

}  // namespace

ResBlockImpl::ResBlockImpl(int64_t in, int64_t out, int64_t emb, double dropout, const Rng& rng) {
  norm1_ = register_module("norm1", group_norm(in));
  conv1_ = register_module("conv1", conv(in, out, 3, rng));
  emb_proj_ = register_module("emb_proj", torch::nn::Linear(emb, out));
  init_linear(emb_proj_, rng);
  norm2_ = register_module("norm2", group_norm(out));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
  // The residual branch starts as zero, so a fresh network is close to the identity skip.
  conv2_ = register_module("conv2", conv(out, out, 3, rng, 0.0));
  if (in != out) skip_ = register_module("skip", conv(in, out, 1, rng));
}

torch::Tensor ResBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& emb) {
  auto h = conv1_->forward(torch::silu(norm1_->forward(x)));
  h = h + emb_proj_->forward(emb).unsqueeze(-1).unsqueeze(-1);
  h = conv2_->forward(dropout_->forward(torch::silu(norm2_->forward(h))));
  return (skip_ ? skip_->forward(x) : x) + h;
}

AttentionBlockImpl::AttentionBlockImpl(int64_t channels, const Rng& rng) {
  norm_ = register_module("norm", group_norm(channels));
  qkv_ = register_module("qkv", conv(channels, 3 * channels, 1, rng));
  out_ = register_module("out", conv(channels, channels, 1, rng, 0.0));
}

torch::Tensor AttentionBlockImpl::forward(const torch::Tensor& x) {
  const int64_t b = x.size(0), c = x.size(1), hw = x.size(2) * x.size(3);
  auto qkv = qkv_->forward(norm_->forward(x)).reshape({b, 3, c, hw});
  auto q = qkv.select(1, 0), k = qkv.select(1, 1), v = qkv.select(1, 2);
  // [B, HW, HW]: pixel i attends to pixel j.
  auto w = torch::softmax(q.transpose(1, 2).bmm(k) / std::sqrt(static_cast<double>(c)), -1);
  auto h = v.bmm(w.transpose(1, 2)).reshape(x.sizes());
  return x + out_->forward(h);
}

UNetImpl::UNetImpl(const UNetOptions& o, const Rng& rng) : options_(o) {
  if (o.mults.empty() || o.blocks < 1 || o.base < 1) {
    throw std::invalid_argument("UNet: needs at least one resolution, one block, one channel");
  }
  const int64_t e = 4 * o.base;
  sigma_embed_ = register_module("sigma_embed",
                                 FourierEmbedding(o.fourier_features, o.sigma_fourier_scale, rng));
  sigma_proj_ = register_module("sigma_proj", torch::nn::Linear(sigma_embed_->out_features(), e));
  init_linear(sigma_proj_, rng);
  if (o.alpha_conditioned) {
    alpha_embed_ = register_module(
        "alpha_embed", FourierEmbedding(o.fourier_features, o.alpha_fourier_scale, rng));
    alpha_proj_ = register_module("alpha_proj", torch::nn::Linear(alpha_embed_->out_features(), e));
    init_linear(alpha_proj_, rng);
  }
  emb_out_ = register_module("emb_out", torch::nn::Linear(e, e));
  init_linear(emb_out_, rng);

  input_ = register_module("input",
                           conv(o.in_channels > 0 ? o.in_channels : o.channels, o.base, 3, rng));
  const int64_t levels = static_cast<int64_t>(o.mults.size());
  int64_t ch = o.base;
  std::vector<int64_t> skip_ch;
  for (int64_t i = 0; i < levels; ++i) {
    const int64_t out = o.base * o.mults[i];
    down_.emplace_back();
    for (int64_t b = 0; b < o.blocks; ++b) {
      down_[i].push_back(register_module("down" + std::to_string(i) + "_" + std::to_string(b),
                                         ResBlock(ch, out, e, o.dropout, rng)));
      ch = out;
    }
    skip_ch.push_back(ch);
  }
  for (int b = 0; b < 2; ++b) {
    mid_.push_back(register_module("mid" + std::to_string(b), ResBlock(ch, ch, e, o.dropout, rng)));
  }
  if (o.attention) mid_attention_ = register_module("mid_attention", AttentionBlock(ch, rng));
  up_.resize(levels);
  for (int64_t i = levels - 1; i >= 0; --i) {
    const int64_t out = o.base * o.mults[i];
    for (int64_t b = 0; b < o.blocks; ++b) {
      const int64_t in = b == 0 ? ch + skip_ch[i] : out;
      up_[i].push_back(register_module("up" + std::to_string(i) + "_" + std::to_string(b),
                                       ResBlock(in, out, e, o.dropout, rng)));
      ch = out;
    }
  }
  out_norm_ = register_module("out_norm", group_norm(ch));
  output_ = register_module("output", conv(ch, o.channels, 3, rng, 0.0));
  if (o.disc_head) {
    const int64_t bottom = o.base * o.mults.back();
    head_norm_ = register_module("head_norm", group_norm(bottom));
    head_ = register_module("disc_head", torch::nn::Linear(bottom, 1));
    init_linear(head_, rng);
  }
}

torch::Tensor UNetImpl::embedding(const torch::Tensor& sigma, const torch::Tensor& alpha) {
  const int64_t b = sigma.numel();
  auto cond = sigma_proj_->forward(sigma_embed_->forward(per_sample(sigma, b).log() * 0.25));
  if (options_.alpha_conditioned) {
    if (!alpha.defined()) throw std::invalid_argument("UNet: this model needs alpha");
    cond = cond + alpha_proj_->forward(alpha_embed_->forward(per_sample(alpha, b) - 0.5));
  }
  return emb_out_->forward(torch::silu(cond));
}

torch::Tensor UNetImpl::run(const torch::Tensor& x_in, const torch::Tensor& emb,
                            torch::Tensor* bottleneck) {
  const size_t levels = down_.size();
  std::vector<torch::Tensor> skips;
  auto h = input_->forward(x_in);
  for (size_t i = 0; i < levels; ++i) {
    for (auto& block : down_[i]) h = block->forward(h, emb);
    skips.push_back(h);
    if (i + 1 < levels) h = torch::avg_pool2d(h, {2, 2});
  }
  h = mid_[0]->forward(h, emb);
  if (mid_attention_) h = mid_attention_->forward(h);
  h = mid_[1]->forward(h, emb);
  if (bottleneck) {
    *bottleneck = h;
    return {};  // the head needs nothing above the bottleneck
  }
  for (size_t k = levels; k-- > 0;) {
    const auto& skip = skips[k];
    if (h.size(2) != skip.size(2) || h.size(3) != skip.size(3)) {
      h = F::interpolate(h, F::InterpolateFuncOptions()
                                .size(std::vector<int64_t>{skip.size(2), skip.size(3)})
                                .mode(torch::kNearest));
    }
    h = torch::cat({h, skip}, 1);
    for (auto& block : up_[k]) h = block->forward(h, emb);
  }
  return output_->forward(torch::silu(out_norm_->forward(h)));
}

torch::Tensor UNetImpl::as_images(const torch::Tensor& x) const {
  if (x.dim() == 4) return x;
  const int64_t side = options_.size;
  if (x.dim() != 2 || side < 1 || x.size(1) % (side * side) != 0) {
    throw std::invalid_argument("UNet: cannot read a tensor of " + std::to_string(x.dim()) +
                                " dims as images of side " + std::to_string(side));
  }
  return x.reshape({x.size(0), x.size(1) / (side * side), side, side});
}

torch::Tensor UNetImpl::predict(const torch::Tensor& x_rows, const torch::Tensor& sigma,
                                const torch::Tensor& alpha) {
  auto x = as_images(x_rows);
  const double sd = options_.sigma_data;
  auto s = sigma.reshape({x.size(0), 1, 1, 1});
  auto out = run(x * (s * s + sd * sd).rsqrt(), embedding(sigma, alpha), nullptr);
  return x_rows.dim() == 2 ? out.reshape({x.size(0), -1}) : out;
}

torch::Tensor UNetImpl::denoise(const torch::Tensor& x_rows, const torch::Tensor& sigma,
                                const torch::Tensor& alpha) {
  auto x_t = as_images(x_rows);
  const double sd = options_.sigma_data;
  auto s = sigma.reshape({x_t.size(0), 1, 1, 1});
  auto var = s * s + sd * sd;
  auto inv_std = var.rsqrt();
  auto c_skip = (sd * sd) * var.reciprocal();
  auto c_out = s * sd * inv_std;
  auto d = c_skip * x_t + c_out * run(x_t * inv_std, embedding(sigma, alpha), nullptr);
  return x_rows.dim() == 2 ? d.reshape(x_rows.sizes()) : d;
}

torch::Tensor UNetImpl::logit(const torch::Tensor& x_t, const torch::Tensor& sigma,
                              const torch::Tensor& alpha) {
  if (!options_.disc_head) throw std::invalid_argument("UNet: this model has no disc head");
  const double sd = options_.sigma_data;
  auto x = as_images(x_t);
  auto s = sigma.reshape({x.size(0), 1, 1, 1});
  torch::Tensor bottom;
  run(x * (s * s + sd * sd).rsqrt(), embedding(sigma, alpha), &bottom);
  auto pooled = torch::silu(head_norm_->forward(bottom)).mean({2, 3});
  return head_->forward(pooled);
}

}  // namespace scorelab
