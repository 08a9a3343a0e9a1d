#include "models/fused_mlp.h"

#include <ATen/core/LegacyTypeDispatch.h>
#include <ATen/core/ivalue.h>
#include <torch/autograd.h>
#include <torch/torch.h>

#include <mutex>
#include <stdexcept>

#include "common/autocast_scope.h"
#include "common/cpu_kernels.h"

namespace scorelab {

namespace {

using torch::Tensor;

// What a workspace's shapes depend on: rows, input width, layer widths, embedding widths.
std::vector<int64_t> signature(const FusedMlpCall& c, const Tensor& x) {
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
  std::vector<Tensor> colsum;        // per hidden layer [H]: the kernels' bias gradients
  Tensor colsum_cond;                // [H0]
  bool kernels = false;              // the CPU kernels made these activations (silu: σ(z) in z)

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

}  // namespace

// Free workspaces, a few batch sizes' worth: training alternates between a handful of shapes.
class MlpWorkspacePool {
 public:
  std::unique_ptr<Workspace> take(const FusedMlpCall& c, const Tensor& x) {
    auto key = signature(c, x);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto it = free_.begin(); it != free_.end(); ++it) {
        if ((*it)->key == key) {
          auto ws = std::move(*it);
          free_.erase(it);
          return ws;
        }
      }
    }
    return std::make_unique<Workspace>(c, x, std::move(key));
  }

  void give(std::unique_ptr<Workspace> ws) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(ws));
    if (free_.size() > kKeep) free_.erase(free_.begin());  // the least recently used
  }

 private:
  static constexpr size_t kKeep = 8;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Workspace>> free_;
};

namespace {

// A workspace on loan to one call, with the call it serves; hands the workspace back when the
// call's graph lets go of it. Held by the autograd node as a capsule.
class Lease : public torch::CustomClassHolder {
 public:
  Lease(std::shared_ptr<MlpWorkspacePool> pool, const FusedMlpCall& call, const Tensor& x)
      : pool_(std::move(pool)), call_(call), ws_(pool_->take(call, x)) {}
  ~Lease() override { release(); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  Workspace& ws() {
    if (!ws_) {
      throw std::logic_error(
          "fused MLP: backward ran twice over one call (retain_graph); "
          "set run.fast_mlp = false for this");
    }
    return *ws_;
  }
  const FusedMlpCall& call() const { return call_; }
  void release() {
    if (ws_) pool_->give(std::move(ws_));
  }

 private:
  std::shared_ptr<MlpWorkspacePool> pool_;
  FusedMlpCall call_;
  std::unique_ptr<Workspace> ws_;
};

// Whether the hand-vectorised CPU kernels serve this call (float32 on an AVX2 CPU).
bool use_kernels(const FusedMlpCall& c, const Tensor& x) {
  if (!x.is_cpu() || x.scalar_type() != torch::kFloat || !cpu_kernels::available()) return false;
  for (const auto& l : c.layers)
    if (!l.bias.is_contiguous()) return false;
  return true;
}

cpu_kernels::Act kernel_act(const FusedMlpCall& c) {
  return c.activation == MlpActivation::silu ? cpu_kernels::Act::silu
                                             : cpu_kernels::Act::leaky_relu;
}

float* ptr(const Tensor& t) {
  return t.defined() ? t.data_ptr<float>() : nullptr;
}

// z ← in·Wᵀ + b (+ extra), h ← act(z). With the kernels z keeps σ(z) for a silu.
void dense_act(const FusedMlpCall& c, bool kernels, const Tensor& in, const DenseRef& d,
               const Tensor& extra, Tensor& z, Tensor& h) {
  if (kernels) {
    at::mm_out(z, in, d.weight.t());
    cpu_kernels::bias_act(kernel_act(c), static_cast<float>(c.leak), ptr(z), ptr(d.bias),
                          ptr(extra), ptr(h), z.size(0), z.size(1));
    return;
  }
  at::addmm_out(z, d.bias, in, d.weight.t());
  if (extra.defined()) z.add_(extra);
  if (c.activation == MlpActivation::silu) {
    at::silu_out(h, z);
  } else {
    at::leaky_relu_out(h, z, c.leak);
  }
}

// dz ← dh·act'(z) from what dense_act left; colsum ← Σ_rows dz with the kernels (undefined
// otherwise: the caller takes bias gradients by GEMV then).
void act_backward(const FusedMlpCall& c, bool kernels, MlpActivation act, const Tensor& dh,
                  const Tensor& z, const Tensor& h, Tensor& dz, Tensor& colsum) {
  if (kernels) {
    cpu_kernels::act_backward(
        act == MlpActivation::silu ? cpu_kernels::Act::silu : cpu_kernels::Act::leaky_relu,
        static_cast<float>(c.leak), ptr(dh), ptr(z), ptr(h), ptr(dz), ptr(colsum), dz.size(0),
        dz.size(1));
  } else if (act == MlpActivation::silu) {
    at::silu_backward_out(dz, dh, z);
  } else {
    at::leaky_relu_backward_out(dz, dh, z, c.leak, /*self_is_result=*/false);
  }
}

// [cos(u·f), sin(u·f)] into emb's two halves.
void embed(const Tensor& u, const Tensor& freqs, Tensor& phase, Tensor& emb) {
  const int64_t f = freqs.size(1);
  at::mul_out(phase, u, freqs);
  auto lo = emb.narrow(1, 0, f), hi = emb.narrow(1, f, f);
  at::cos_out(lo, phase);
  at::sin_out(hi, phase);
}

// The conditioning added to the first layer's pre-activation (undefined when none).
Tensor condition(const FusedMlpCall& c, bool kernels, const Tensor& sigma, const Tensor& alpha,
                 Workspace& w) {
  if (!c.sigma_embed.freqs.defined()) return {};
  at::log_out(w.u_sigma, sigma);
  w.u_sigma.mul_(0.25);
  embed(w.u_sigma, c.sigma_embed.freqs, w.phase_sigma, w.emb_sigma);
  at::addmm_out(w.cond, c.sigma_embed.proj.bias, w.emb_sigma, c.sigma_embed.proj.weight.t());
  if (c.alpha_embed.freqs.defined()) {
    w.u_alpha.copy_(alpha).sub_(0.5);
    embed(w.u_alpha, c.alpha_embed.freqs, w.phase_alpha, w.emb_alpha);
    w.cond.addmm_(w.emb_alpha, c.alpha_embed.proj.weight.t());
    w.cond.add_(c.alpha_embed.proj.bias);
  }
  if (!c.silu_condition) return w.cond;
  if (kernels) {
    cpu_kernels::bias_act(cpu_kernels::Act::silu, 0, ptr(w.cond), nullptr, nullptr, ptr(w.cond_act),
                          w.cond.size(0), w.cond.size(1));
  } else {
    at::silu_out(w.cond_act, w.cond);
  }
  return w.cond_act;
}

// The network's output for one call; activations stay in the workspace for the backward.
Tensor run_forward(const FusedMlpCall& c, const Tensor& x, const Tensor& sigma, const Tensor& alpha,
                   Workspace& w) {
  at::AutoDispatchBelowADInplaceOrView below_autograd;
  w.kernels = use_kernels(c, x);
  const double sd2 = c.sigma_data * c.sigma_data;
  if (c.scale_input || c.denoise) {
    at::mul_out(w.var, sigma, sigma);
    w.var.add_(sd2);
    at::rsqrt_out(w.c_in, w.var);
  }
  Tensor in = x;
  if (c.scale_input) {
    at::mul_out(w.x_in, x, w.c_in);
    in = w.x_in;
  }
  const size_t hidden = c.layers.size() - 1;
  const Tensor cond = condition(c, w.kernels, sigma, alpha, w);
  dense_act(c, w.kernels, in, c.layers[0], cond, w.z[0], w.h[0]);
  for (size_t l = 1; l < hidden; ++l) {
    dense_act(c, w.kernels, w.h[l - 1], c.layers[l], {}, w.z[l], w.h[l]);
  }
  const DenseRef& last = c.layers.back();
  if (!c.denoise) return at::addmm(last.bias, w.h[hidden - 1], last.weight.t());
  at::addmm_out(w.f, last.bias, w.h[hidden - 1], last.weight.t());
  // D = c_skip·x + c_out·F with c_skip = σ_d²/(σ² + σ_d²), c_out = σ·σ_d/√(σ² + σ_d²).
  at::reciprocal_out(w.c_skip, w.var);
  w.c_skip.mul_(sd2);
  at::mul_out(w.c_out, sigma, w.c_in);
  w.c_out.mul_(c.sigma_data);
  auto out = at::mul(x, w.c_skip);
  out.addcmul_(w.c_out, w.f);
  return out;
}

Tensor& grad_of(const Tensor& param) {
  auto& g = param.mutable_grad();
  if (!g.defined()) g = torch::zeros_like(param);
  return g;
}

// db += Σ_rows dy: the kernels' column sums when there are some, else one GEMV.
void accumulate_bias(const Tensor& bias, const Tensor& dy, const Tensor& colsum, bool kernels,
                     const Tensor& ones) {
  if (!bias.requires_grad()) return;
  if (kernels) {
    grad_of(bias).add_(colsum);
  } else {
    grad_of(bias).addmv_(dy.t(), ones);
  }
}

void accumulate_weight(const Tensor& weight, const Tensor& dy, const Tensor& x) {
  if (weight.requires_grad()) grad_of(weight).addmm_(dy.t(), x);
}

// Parameter gradients accumulated; returns the gradient of x when wanted.
Tensor run_backward(const FusedMlpCall& c, const Tensor& x, const Tensor& g, Workspace& w,
                    bool want_dx) {
  at::AutoDispatchBelowADInplaceOrView below_autograd;
  const bool k = w.kernels;
  const size_t hidden = c.layers.size() - 1;
  Tensor g_f = g;
  if (c.denoise) {
    at::mul_out(w.g_f, g, w.c_out);
    g_f = w.g_f;
  }
  const DenseRef& last = c.layers.back();
  accumulate_weight(last.weight, g_f, w.h[hidden - 1]);
  accumulate_bias(last.bias, g_f, {}, false, w.ones);
  at::mm_out(w.dh[hidden - 1], g_f, last.weight);
  for (size_t l = hidden; l-- > 0;) {
    act_backward(c, k, c.activation, w.dh[l], w.z[l], w.h[l], w.dz[l], w.colsum[l]);
    const Tensor& in = l > 0 ? w.h[l - 1] : (c.scale_input ? w.x_in : x);
    accumulate_weight(c.layers[l].weight, w.dz[l], in);
    accumulate_bias(c.layers[l].bias, w.dz[l], w.colsum[l], k, w.ones);
    if (l > 0) at::mm_out(w.dh[l - 1], w.dz[l], c.layers[l].weight);
  }
  if (c.sigma_embed.freqs.defined()) {
    // The condition enters z₀ as a sum: its gradient is dz₀ (through silu when there is one).
    Tensor dc = w.dz[0], dc_colsum = w.colsum[0];
    if (c.silu_condition) {
      act_backward(c, k, MlpActivation::silu, w.dz[0], w.cond, w.cond_act, w.dcond, w.colsum_cond);
      dc = w.dcond;
      dc_colsum = w.colsum_cond;
    }
    accumulate_weight(c.sigma_embed.proj.weight, dc, w.emb_sigma);
    accumulate_bias(c.sigma_embed.proj.bias, dc, dc_colsum, k, w.ones);
    if (c.alpha_embed.freqs.defined()) {
      accumulate_weight(c.alpha_embed.proj.weight, dc, w.emb_alpha);
      accumulate_bias(c.alpha_embed.proj.bias, dc, dc_colsum, k, w.ones);
    }
  }
  if (!want_dx) return {};
  auto dx = at::mm(w.dz[0], c.layers[0].weight);
  if (c.scale_input) dx.mul_(w.c_in);
  if (c.denoise) dx.addcmul_(g, w.c_skip);
  return dx;
}

// σ and α of a call: handed to the node as one non-tensor argument, since libtorch 1.13's custom
// functions take no undefined tensor inputs and these never take gradients.
struct Columns {
  Tensor sigma, alpha;
};

// One autograd node per network call. Inputs: x, and an anchor — a parameter that needs a
// gradient (x itself when none does), so the node is recorded when only parameters need
// gradients. The lease carries the workspace and the call.
struct FusedMlpFunction : public torch::autograd::Function<FusedMlpFunction> {
  static Tensor forward(torch::autograd::AutogradContext* ctx, const Tensor& x,
                        const Tensor& /*anchor*/, Columns columns,
                        c10::intrusive_ptr<Lease> lease) {
    auto out = run_forward(lease->call(), x, columns.sigma, columns.alpha, lease->ws());
    ctx->save_for_backward({x});
    ctx->saved_data["lease"] = c10::IValue::make_capsule(std::move(lease));
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    if (torch::GradMode::is_enabled()) {
      throw std::logic_error(
          "fused MLP: no double backward (create_graph); set "
          "run.fast_mlp = false for this");
    }
    const auto holder = ctx->saved_data["lease"].toCapsule();  // keeps the lease alive here
    auto* lease = static_cast<Lease*>(holder.get());
    const auto saved = ctx->get_saved_variables();
    Tensor dx;
    if (grads[0].defined()) {
      dx = run_backward(lease->call(), saved[0], grads[0].contiguous(), lease->ws(),
                        ctx->needs_input_grad(0));
    }
    lease->release();
    return {dx, Tensor(), Tensor(), Tensor()};  // one per forward argument, tensor or not
  }
};

const Tensor* anchor_parameter(const FusedMlpCall& c) {
  auto find = [](const DenseRef& d) -> const Tensor* {
    if (d.weight.requires_grad()) return &d.weight;
    if (d.bias.requires_grad()) return &d.bias;
    return nullptr;
  };
  for (const auto& l : c.layers)
    if (auto* p = find(l)) return p;
  if (c.sigma_embed.freqs.defined())
    if (auto* p = find(c.sigma_embed.proj)) return p;
  if (c.alpha_embed.freqs.defined())
    if (auto* p = find(c.alpha_embed.proj)) return p;
  return nullptr;
}

bool is_column(const Tensor& t, const Tensor& x) {
  return !t.defined() ||
         (t.dim() == 2 && t.size(0) == x.size(0) && t.size(1) == 1 &&
          t.scalar_type() == x.scalar_type() && t.device() == x.device() && !t.requires_grad());
}

}  // namespace

FusedMlp::FusedMlp() : pool_(std::make_shared<MlpWorkspacePool>()) {}
FusedMlp::~FusedMlp() = default;

bool FusedMlp::supports(const Tensor& x, const Tensor& sigma, const Tensor& alpha,
                        const Tensor& weight) {
  if (x.dim() != 2 || x.size(0) == 0) return false;
  const auto t = x.scalar_type();
  if ((t != torch::kFloat && t != torch::kDouble) || t != weight.scalar_type()) return false;
  if (x.device() != weight.device() || !(x.is_cpu() || x.is_cuda())) return false;
  if (autocast_active()) return false;
  return is_column(sigma, x) && is_column(alpha, x);
}

Tensor FusedMlp::forward(const FusedMlpCall& call, const Tensor& x, const Tensor& sigma,
                         const Tensor& alpha) const {
  if (call.layers.size() < 2) throw std::invalid_argument("fused MLP: needs a hidden layer");
  const Tensor* anchor = torch::GradMode::is_enabled() ? anchor_parameter(call) : nullptr;
  const bool record = torch::GradMode::is_enabled() && (x.requires_grad() || anchor);
  auto lease = c10::make_intrusive<Lease>(pool_, call, x);
  if (!record) {
    torch::NoGradGuard no_grad;
    return run_forward(call, x, sigma, alpha, lease->ws());
  }
  return FusedMlpFunction::apply(x, anchor ? *anchor : x, Columns{sigma, alpha}, std::move(lease));
}

}  // namespace scorelab
