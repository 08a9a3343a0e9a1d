#include "models/fused_mlp.h"

#include <ATen/core/LegacyTypeDispatch.h>
#include <ATen/core/ivalue.h>
#include <torch/autograd.h>
#include <torch/torch.h>

#include <mutex>
#include <stdexcept>

#include "common/autocast_scope.h"
#include "models/fused_mlp_cpu.h"
#include "models/fused_mlp_workspace.h"

#if !defined(SCORELAB_NO_CUDA_GRAPHS) && __has_include(<c10/cuda/CUDAGraphsC10Utils.h>) && \
    __has_include(<cuda_runtime_api.h>)
#include <c10/cuda/CUDAGraphsC10Utils.h>
#define SCORELAB_GRAPH_AWARE 1
#else
#define SCORELAB_GRAPH_AWARE 0
#endif

namespace scorelab {

using fused_detail::signature;
using fused_detail::Workspace;
using torch::Tensor;

namespace {
// Whether x's stream is being captured into a CUDA graph (never on the CPU).
bool capturing(const Tensor& x) {
#if SCORELAB_GRAPH_AWARE
  return x.is_cuda() &&
         c10::cuda::currentStreamCaptureStatusMayInitCtx() != c10::cuda::CaptureStatus::None;
#else
  (void)x;
  return false;
#endif
}
}  // namespace

// Free workspaces, a few batch sizes' worth: training alternates between a handful of shapes.
// A captured CUDA graph keeps writing into the workspaces its calls used, so a capture takes
// only workspaces made during a capture, and those are never freed.
class MlpWorkspacePool {
 public:
  std::unique_ptr<Workspace> take(const FusedMlpCall& c, const Tensor& x) {
    auto key = signature(c, x);
    const bool capture = capturing(x);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto it = free_.begin(); it != free_.end(); ++it) {
        if ((*it)->key == key && (!capture || (*it)->pinned)) {
          auto ws = std::move(*it);
          free_.erase(it);
          return ws;
        }
      }
    }
    auto ws = std::make_unique<Workspace>(c, x, std::move(key));
    ws->pinned = capture;
    return ws;
  }

  void give(std::unique_ptr<Workspace> ws) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(ws));
    if (free_.size() <= kKeep) return;
    // The least recently used one that no graph writes into.
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (!(*it)->pinned) {
        free_.erase(it);
        return;
      }
    }
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

// z ← in·Wᵀ + b (+ extra), h ← act(z).
void dense_act(const FusedMlpCall& c, const Tensor& in, const DenseRef& d, const Tensor& extra,
               Tensor& z, Tensor& h) {
  at::addmm_out(z, d.bias, in, d.weight.t());
  if (extra.defined()) z.add_(extra);
  if (c.activation == MlpActivation::silu) {
    at::silu_out(h, z);
  } else {
    at::leaky_relu_out(h, z, c.leak);
  }
}

// dz ← dh·act'(z) from what dense_act left.
void act_backward(const FusedMlpCall& c, MlpActivation act, const Tensor& dh, const Tensor& z,
                  Tensor& dz) {
  if (act == MlpActivation::silu) {
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
Tensor condition(const FusedMlpCall& c, const Tensor& sigma, const Tensor& alpha, Workspace& w) {
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
  at::silu_out(w.cond_act, w.cond);
  return w.cond_act;
}

// The network's output for one call; activations stay in the workspace for the backward.
Tensor run_forward(const FusedMlpCall& c, const Tensor& x, const Tensor& sigma, const Tensor& alpha,
                   Workspace& w) {
  at::AutoDispatchBelowADInplaceOrView below_autograd;
  w.raw = fused_detail::cpu_raw_supported(c, x, sigma, alpha);
  if (w.raw) return fused_detail::cpu_forward(c, x, sigma, alpha, w);
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
  const Tensor cond = condition(c, sigma, alpha, w);
  dense_act(c, in, c.layers[0], cond, w.z[0], w.h[0]);
  for (size_t l = 1; l < hidden; ++l) {
    dense_act(c, w.h[l - 1], c.layers[l], {}, w.z[l], w.h[l]);
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

// db += Σ_rows dy, as one GEMV.
void accumulate_bias(const Tensor& bias, const Tensor& dy, const Tensor& ones) {
  if (bias.requires_grad()) grad_of(bias).addmv_(dy.t(), ones);
}

void accumulate_weight(const Tensor& weight, const Tensor& dy, const Tensor& x) {
  if (weight.requires_grad()) grad_of(weight).addmm_(dy.t(), x);
}

// Parameter gradients accumulated; returns the gradient of x when wanted.
Tensor run_backward(const FusedMlpCall& c, const Tensor& x, const Tensor& g, Workspace& w,
                    bool want_dx) {
  at::AutoDispatchBelowADInplaceOrView below_autograd;
  if (w.raw) return fused_detail::cpu_backward(c, x, g, w, want_dx);
  const size_t hidden = c.layers.size() - 1;
  Tensor g_f = g;
  if (c.denoise) {
    at::mul_out(w.g_f, g, w.c_out);
    g_f = w.g_f;
  }
  const DenseRef& last = c.layers.back();
  accumulate_weight(last.weight, g_f, w.h[hidden - 1]);
  accumulate_bias(last.bias, g_f, w.ones);
  at::mm_out(w.dh[hidden - 1], g_f, last.weight);
  for (size_t l = hidden; l-- > 0;) {
    act_backward(c, c.activation, w.dh[l], w.z[l], w.dz[l]);
    const Tensor& in = l > 0 ? w.h[l - 1] : (c.scale_input ? w.x_in : x);
    accumulate_weight(c.layers[l].weight, w.dz[l], in);
    accumulate_bias(c.layers[l].bias, w.dz[l], w.ones);
    if (l > 0) at::mm_out(w.dh[l - 1], w.dz[l], c.layers[l].weight);
  }
  if (c.sigma_embed.freqs.defined()) {
    // The condition enters z₀ as a sum: its gradient is dz₀ (through silu when there is one).
    Tensor dc = w.dz[0];
    if (c.silu_condition) {
      act_backward(c, MlpActivation::silu, w.dz[0], w.cond, w.dcond);
      dc = w.dcond;
    }
    accumulate_weight(c.sigma_embed.proj.weight, dc, w.emb_sigma);
    accumulate_bias(c.sigma_embed.proj.bias, dc, w.ones);
    if (c.alpha_embed.freqs.defined()) {
      accumulate_weight(c.alpha_embed.proj.weight, dc, w.emb_alpha);
      accumulate_bias(c.alpha_embed.proj.bias, dc, w.ones);
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
