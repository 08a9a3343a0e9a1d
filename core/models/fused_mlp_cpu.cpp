#include "models/fused_mlp_cpu.h"

#include <torch/torch.h>

#include <cmath>

#include "kernels/cpu_gemm.h"
#include "kernels/cpu_kernels.h"

namespace scorelab::fused_detail {

namespace {

using cpu_gemm::gemm;

float* ptr(const Tensor& t) {
  return t.defined() ? t.data_ptr<float>() : nullptr;
}

bool plain(const Tensor& t) {
  return !t.defined() || (t.is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous());
}

bool plain_param(const Tensor& p) {
  return plain(p) && (!p.requires_grad() || plain(p.grad()));
}

bool plain_dense(const DenseRef& d) {
  return plain_param(d.weight) && plain_param(d.bias) && d.bias.defined();
}

cpu_kernels::Act kernel_act(MlpActivation a) {
  return a == MlpActivation::silu ? cpu_kernels::Act::silu : cpu_kernels::Act::leaky_relu;
}

// The gradient buffer a parameter accumulates into (zeros on first use), or null when the
// parameter takes none.
float* grad_ptr(const Tensor& p) {
  if (!p.requires_grad()) return nullptr;
  auto& g = p.mutable_grad();
  if (!g.defined()) g = torch::zeros_like(p);
  return ptr(g);
}

// out[i, :] = in[i, :]·Wᵀ for every row: [rows, in] × [out, in]ᵀ.
void dense(const float* in, int64_t rows, const DenseRef& d, float beta, float* out) {
  const int64_t o = d.weight.size(0), k = d.weight.size(1);
  gemm(false, true, rows, o, k, 1.0f, in, k, ptr(d.weight), k, beta, out, o);
}

// Σ_rows of a [rows, cols] block added into acc (a bias gradient).
void add_colsum(const float* y, int64_t rows, int64_t cols, float* acc) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) acc[j] += y[i * cols + j];
}

// The weight's and bias's gradients of a dense layer from dy [rows, out] and its input
// [rows, in]; colsum (Σ_rows dy) when the kernels gave one, else summed here.
void accumulate(const DenseRef& d, const float* dy, const float* in, int64_t rows,
                const float* colsum) {
  const int64_t o = d.weight.size(0), k = d.weight.size(1);
  if (float* gw = grad_ptr(d.weight))
    gemm(true, false, o, k, rows, 1.0f, dy, o, in, k, 1.0f, gw, k);
  if (float* gb = grad_ptr(d.bias)) {
    if (colsum) {
      for (int64_t j = 0; j < o; ++j) gb[j] += colsum[j];
    } else {
      add_colsum(dy, rows, o, gb);
    }
  }
}

}  // namespace

bool cpu_raw_supported(const FusedMlpCall& c, const Tensor& x, const Tensor& sigma,
                       const Tensor& alpha) {
  if (!x.is_cpu() || x.scalar_type() != torch::kFloat || !cpu_kernels::available()) return false;
  if (!x.is_contiguous() || !plain(sigma) || !plain(alpha)) return false;
  for (const auto& l : c.layers)
    if (!plain_dense(l)) return false;
  for (const ConditionRef* e : {&c.sigma_embed, &c.alpha_embed}) {
    if (e->freqs.defined() && !(plain(e->freqs) && plain_dense(e->proj))) return false;
  }
  return true;
}

// The hidden layer's conditioning, per row: proj_σ(emb(ln σ / 4)) [+ proj_α(emb(α − ½))] with
// the biases summed once, through SiLU when the network says so.
const float* cpu_condition(const FusedMlpCall& c, const float* sp, const Tensor& alpha, int64_t b,
                           Workspace& w) {
  const int64_t h0 = c.layers[0].weight.size(0);
  float* u = ptr(w.u_sigma);
  for (int64_t i = 0; i < b; ++i) u[i] = std::log(sp[i]) * 0.25f;
  const int64_t fs = c.sigma_embed.freqs.size(1);
  cpu_kernels::fourier_embed(u, b, ptr(c.sigma_embed.freqs), fs, ptr(w.emb_sigma));
  dense(ptr(w.emb_sigma), b, c.sigma_embed.proj, 0.0f, ptr(w.cond));
  float* bias = ptr(w.bias_cond);
  const float* bs = ptr(c.sigma_embed.proj.bias);
  for (int64_t j = 0; j < h0; ++j) bias[j] = bs[j];
  if (c.alpha_embed.freqs.defined()) {
    const float* ap = ptr(alpha);
    float* ua = ptr(w.u_alpha);
    for (int64_t i = 0; i < b; ++i) ua[i] = ap[i] - 0.5f;
    const int64_t fa = c.alpha_embed.freqs.size(1);
    cpu_kernels::fourier_embed(ua, b, ptr(c.alpha_embed.freqs), fa, ptr(w.emb_alpha));
    dense(ptr(w.emb_alpha), b, c.alpha_embed.proj, 1.0f, ptr(w.cond));
    const float* ba = ptr(c.alpha_embed.proj.bias);
    for (int64_t j = 0; j < h0; ++j) bias[j] += ba[j];
  }
  if (c.silu_condition) {
    cpu_kernels::bias_act(cpu_kernels::Act::silu, 0, ptr(w.cond), bias, nullptr, ptr(w.cond_act), b,
                          h0);
    return ptr(w.cond_act);
  } else {
    float* cond = ptr(w.cond);
    for (int64_t i = 0; i < b; ++i)
      for (int64_t j = 0; j < h0; ++j) cond[i * h0 + j] += bias[j];
    return cond;
  }
}

Tensor cpu_forward(const FusedMlpCall& c, const Tensor& x, const Tensor& sigma, const Tensor& alpha,
                   Workspace& w) {
  w.raw = true;
  const int64_t b = x.size(0), in = x.size(1);
  const float* xp = ptr(x);
  const float* sp = ptr(sigma);
  const float sd = static_cast<float>(c.sigma_data), sd2 = sd * sd;
  float *c_in = ptr(w.c_in), *c_skip = ptr(w.c_skip), *c_out = ptr(w.c_out);
  if (c.scale_input || c.denoise) {
    // EDM's preconditioning, per row: c_in = 1/√(σ² + σ_d²), c_skip = σ_d²/(σ² + σ_d²),
    // c_out = σ·σ_d·c_in.
    for (int64_t i = 0; i < b; ++i) {
      const float var = sp[i] * sp[i] + sd2, ci = 1.0f / std::sqrt(var);
      c_in[i] = ci;
      c_skip[i] = sd2 * (1.0f / var);
      c_out[i] = sp[i] * ci * sd;
    }
  }
  const float* first_in = xp;
  if (c.scale_input) {
    float* xi = ptr(w.x_in);
    for (int64_t i = 0; i < b; ++i)
      for (int64_t k = 0; k < in; ++k) xi[i * in + k] = xp[i * in + k] * c_in[i];
    first_in = xi;
  }
  const size_t hidden = c.layers.size() - 1;
  const float* extra = c.sigma_embed.freqs.defined() ? cpu_condition(c, sp, alpha, b, w) : nullptr;
  const auto act = kernel_act(c.activation);
  const float leak = static_cast<float>(c.leak);
  const float* layer_in = first_in;
  for (size_t l = 0; l < hidden; ++l) {
    const DenseRef& d = c.layers[l];
    dense(layer_in, b, d, 0.0f, ptr(w.z[l]));
    cpu_kernels::bias_act(act, leak, ptr(w.z[l]), ptr(d.bias), l == 0 ? extra : nullptr,
                          ptr(w.h[l]), b, d.weight.size(0));
    layer_in = ptr(w.h[l]);
  }
  const DenseRef& last = c.layers.back();
  const int64_t out_dim = last.weight.size(0);
  auto out = torch::empty({b, out_dim}, x.options().requires_grad(false));
  float* f = c.denoise ? ptr(w.f) : ptr(out);
  dense(layer_in, b, last, 0.0f, f);
  const float* lb = ptr(last.bias);
  for (int64_t i = 0; i < b; ++i)
    for (int64_t k = 0; k < out_dim; ++k) f[i * out_dim + k] += lb[k];
  if (c.denoise) {
    // D = c_skip·x + c_out·F.
    float* o = ptr(out);
    for (int64_t i = 0; i < b; ++i)
      for (int64_t k = 0; k < out_dim; ++k)
        o[i * out_dim + k] = c_skip[i] * xp[i * in + k] + c_out[i] * f[i * out_dim + k];
  }
  return out;
}

Tensor cpu_backward(const FusedMlpCall& c, const Tensor& x, const Tensor& g, Workspace& w,
                    bool want_dx) {
  const int64_t b = x.size(0), in = x.size(1);
  const size_t hidden = c.layers.size() - 1;
  const DenseRef& last = c.layers.back();
  const int64_t out_dim = last.weight.size(0);
  const float* gp = ptr(g);
  const float* g_f = gp;
  if (c.denoise) {
    float* gf = ptr(w.g_f);
    const float* c_out = ptr(w.c_out);
    for (int64_t i = 0; i < b; ++i)
      for (int64_t k = 0; k < out_dim; ++k) gf[i * out_dim + k] = gp[i * out_dim + k] * c_out[i];
    g_f = gf;
  }
  accumulate(last, g_f, ptr(w.h[hidden - 1]), b, nullptr);
  const int64_t hl = last.weight.size(1);
  gemm(false, false, b, hl, out_dim, 1.0f, g_f, out_dim, ptr(last.weight), hl, 0.0f,
       ptr(w.dh[hidden - 1]), hl);
  const auto act = kernel_act(c.activation);
  const float leak = static_cast<float>(c.leak);
  const float* first_in = c.scale_input ? ptr(w.x_in) : ptr(x);
  for (size_t l = hidden; l-- > 0;) {
    const DenseRef& d = c.layers[l];
    const int64_t o = d.weight.size(0), k = d.weight.size(1);
    cpu_kernels::act_backward(act, leak, ptr(w.dh[l]), ptr(w.z[l]), ptr(w.h[l]), ptr(w.dz[l]),
                              ptr(w.colsum[l]), b, o);
    accumulate(d, ptr(w.dz[l]), l > 0 ? ptr(w.h[l - 1]) : first_in, b, ptr(w.colsum[l]));
    if (l > 0) {
      gemm(false, false, b, k, o, 1.0f, ptr(w.dz[l]), o, ptr(d.weight), k, 0.0f, ptr(w.dh[l - 1]),
           k);
    }
  }
  if (c.sigma_embed.freqs.defined()) {
    // The condition enters z₀ as a sum: its gradient is dz₀ (through silu when there is one).
    const int64_t h0 = c.layers[0].weight.size(0);
    const float* dc = ptr(w.dz[0]);
    const float* dc_colsum = ptr(w.colsum[0]);
    if (c.silu_condition) {
      cpu_kernels::act_backward(cpu_kernels::Act::silu, 0, dc, ptr(w.cond), ptr(w.cond_act),
                                ptr(w.dcond), ptr(w.colsum_cond), b, h0);
      dc = ptr(w.dcond);
      dc_colsum = ptr(w.colsum_cond);
    }
    accumulate(c.sigma_embed.proj, dc, ptr(w.emb_sigma), b, dc_colsum);
    if (c.alpha_embed.freqs.defined())
      accumulate(c.alpha_embed.proj, dc, ptr(w.emb_alpha), b, dc_colsum);
  }
  if (!want_dx) return {};
  const DenseRef& first = c.layers[0];
  const int64_t h0 = first.weight.size(0);
  auto dx = torch::empty({b, in}, x.options().requires_grad(false));
  float* dxp = ptr(dx);
  gemm(false, false, b, in, h0, 1.0f, ptr(w.dz[0]), h0, ptr(first.weight), in, 0.0f, dxp, in);
  const float* c_in = ptr(w.c_in);
  const float* c_skip = ptr(w.c_skip);
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t k = 0; k < in; ++k) {
      float v = dxp[i * in + k];
      if (c.scale_input) v *= c_in[i];
      if (c.denoise) v += gp[i * in + k] * c_skip[i];
      dxp[i * in + k] = v;
    }
  }
  return dx;
}

}  // namespace scorelab::fused_detail
