#pragma once
// The buffers of one fused-MLP call (models/fused_mlp.h), shared by its libtorch and its raw
// CPU implementations; internal to models/.
#include <torch/torch.h>

#include <vector>

#include "models/fused_mlp.h"

namespace scorelab::fused_detail {

using torch::Tensor;

// What a workspace's shapes depend on: rows, input width, layer widths, embedding widths.
inline std::vector<int64_t> signature(const FusedMlpCall& c, const Tensor& x) {
  std::vector<int64_t> s{x.size(0), x.size(1), c.sigma_embed.freqs.defined() ? 1 : 0,
                         c.alpha_embed.freqs.defined() ? 1 : 0};
  for (const auto& l : c.layers) s.push_back(l.weight.size(0));
  if (c.sigma_embed.freqs.defined()) s.push_back(c.sigma_embed.freqs.size(1));
  if (c.alpha_embed.freqs.defined()) s.push_back(c.alpha_embed.freqs.size(1));
  return s;
}

// The buffers of one call: forward activations (kept for its backward) and backward scratch.
struct Workspace {
  std::vector<int64_t> key;
  std::vector<Tensor> z, h, dz, dh;  // per hidden layer: pre-activation, activation, gradients
  Tensor x_in;                       // x·c_in
  Tensor var, c_in, c_skip, c_out;   // [B, 1] preconditioning
  Tensor u_sigma, u_alpha;           // [B, 1] embedded scalars
  Tensor phase_sigma, phase_alpha;   // [B, F]
  Tensor emb_sigma, emb_alpha;       // [B, 2F]
  Tensor cond, cond_act, dcond;      // [B, H0]
  Tensor f, g_f;                     // [B, out]: the raw network (denoising calls), its gradient
  Tensor ones;                       // [B], for bias gradients as one GEMV
  std::vector<Tensor> colsum;        // per hidden layer [H]: bias gradients (raw CPU path)
  Tensor colsum_cond;                // [H0]
  Tensor bias_cond;                  // [H0]: the projections' biases summed (raw CPU path)
  bool raw = false;  // the raw CPU path ran the forward (silu layers keep silu'(z) in z then)
  // Allocated while a CUDA graph was being captured: the graph writes into these buffers at
  // every replay, so the pool never frees them (models/fused_mlp.cpp).
  bool pinned = false;

  Workspace(const FusedMlpCall& c, const Tensor& x, std::vector<int64_t> k) : key(std::move(k)) {
    const auto opts = x.options().requires_grad(false);
    const int64_t b = x.size(0);
    auto buf = [&](int64_t cols) { return torch::empty({b, cols}, opts); };
    const size_t hidden = c.layers.size() - 1;
    for (size_t l = 0; l < hidden; ++l) {
      const int64_t w = c.layers[l].weight.size(0);
      z.push_back(buf(w));
      h.push_back(buf(w));
      dz.push_back(buf(w));
      dh.push_back(buf(w));
      colsum.push_back(torch::empty({w}, opts));
    }
    x_in = buf(x.size(1));
    var = buf(1);
    c_in = buf(1);
    c_skip = buf(1);
    c_out = buf(1);
    const int64_t h0 = c.layers[0].weight.size(0);
    if (c.sigma_embed.freqs.defined()) {
      const int64_t f = c.sigma_embed.freqs.size(1);
      u_sigma = buf(1);
      phase_sigma = buf(f);
      emb_sigma = buf(2 * f);
      cond = buf(h0);
      cond_act = buf(h0);
      dcond = buf(h0);
      colsum_cond = torch::empty({h0}, opts);
      bias_cond = torch::empty({h0}, opts);
    }
    if (c.alpha_embed.freqs.defined()) {
      const int64_t f = c.alpha_embed.freqs.size(1);
      u_alpha = buf(1);
      phase_alpha = buf(f);
      emb_alpha = buf(2 * f);
    }
    const int64_t out = c.layers.back().weight.size(0);
    f = buf(out);
    g_f = buf(out);
    ones = torch::ones({b}, opts);
  }
};

}  // namespace scorelab::fused_detail
