#include "optim/flat_adamw.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>

#include "kernels/cpu_kernels.h"

// libtorch's fused AdamW kernel with the learning rate as a tensor (CUDA builds, 2.4 and later).
#if !defined(SCORELAB_NO_CUDA_GRAPHS) && __has_include(<cuda_runtime_api.h>) && \
    (TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4))
#define SCORELAB_FUSED_ADAMW 1
#else
#define SCORELAB_FUSED_ADAMW 0
#endif

namespace scorelab {

double lr_factor(const AdamWHyper& h, int64_t update) {
  double f = 1.0;
  if (h.warmup > 0 && update < h.warmup) f = static_cast<double>(update) / h.warmup;
  if (h.cosine && h.decay_steps > 0) {
    const double t = std::min(1.0, static_cast<double>(update) / h.decay_steps);
    f *= 0.5 * (1.0 + std::cos(M_PI * t));
  }
  return f;
}

FlatAdamW::FlatAdamW(FlatParameters& params, const AdamWHyper& hyper)
    : params_(params),
      hyper_(hyper),
      m_(torch::zeros_like(params.data())),
      v_(torch::zeros_like(params.data())) {
  use_device_path(!params.data().is_cpu());
}

void FlatAdamW::use_device_path(bool on) {
  device_path_ = on;
  if (!on || t_.defined()) return;
  const auto opts = params_.data().options().dtype(torch::kDouble);
  // float32: the fused kernel's step count (exact to 2^24 updates).
  t_ = torch::full({}, static_cast<double>(steps_), opts.dtype(torch::kFloat));
  lr32_ = torch::zeros({}, opts.dtype(torch::kFloat));
  hyper_t_ = torch::zeros({8}, opts);
  write_hyper();
}

void FlatAdamW::set_hyper(const AdamWHyper& hyper) {
  hyper_ = hyper;
  if (device_path_) write_hyper();
}

void FlatAdamW::set_steps(int64_t steps) {
  steps_ = steps;
  if (t_.defined()) t_.fill_(static_cast<double>(steps));
}

void FlatAdamW::write_hyper() {
  // In place: a captured graph keeps reading this tensor's memory.
  const double decay = hyper_.cosine && hyper_.decay_steps > 0 ? hyper_.decay_steps : 0;
  hyper_t_.copy_(
      torch::tensor({hyper_.lr, hyper_.beta1, hyper_.beta2, hyper_.weight_decay, hyper_.eps,
                     hyper_.grad_clip, static_cast<double>(hyper_.warmup), decay},
                    torch::kDouble));
  lr32_.fill_(hyper_.lr);
}

namespace {
// The one-pass CPU kernel serves float32 buffers on an AVX2 CPU.
bool one_pass(const torch::Tensor& p, const torch::Tensor& g) {
  return p.is_cpu() && p.scalar_type() == torch::kFloat && p.is_contiguous() && g.is_contiguous() &&
         cpu_kernels::available();
}
}  // namespace

void FlatAdamW::step() {
  torch::NoGradGuard no_grad;
  if (device_path_) {
    device_step();
  } else {
    host_step();
  }
}

torch::Tensor FlatAdamW::device_lr() const {
  const bool schedule = hyper_.warmup > 0 || (hyper_.cosine && hyper_.decay_steps > 0);
  if (!schedule) return lr32_;
  // lr · warm-up · cosine at update t, as lr_factor computes it on the host.
  const auto& h = hyper_t_;
  const auto warmup = h.select(0, 6), decay = h.select(0, 7);
  const auto one = torch::ones_like(warmup);
  auto factor = torch::where(t_ < warmup, t_ / warmup.clamp_min(1), one);
  const auto cosine = 0.5 * (1 + torch::cos(M_PI * torch::clamp_max(t_ / decay.clamp_min(1), 1.0)));
  factor = factor * torch::where(decay > 0, cosine, one);
  return h.select(0, 0) * factor;
}

bool FlatAdamW::fused_step(torch::Tensor& p, torch::Tensor& g) {
#if SCORELAB_FUSED_ADAMW
  if (!fused_ok_ || !p.is_cuda() || p.scalar_type() != torch::kFloat) return false;
  const torch::Tensor lr = device_lr().to(torch::kFloat);
  if (hyper_.grad_clip > 0) {
    g.mul_(torch::clamp_max(hyper_.grad_clip / (g.norm() + 1e-6), 1.0));
  }
  try {
    // One kernel for the moments, the bias corrections (from the device step count), the decay
    // and the update; betas, weight decay and eps are baked in (a change re-captures a graph).
    at::_fused_adamw_({p}, {g}, {m_}, {v_}, {}, {t_}, lr, hyper_.beta1, hyper_.beta2,
                      hyper_.weight_decay, hyper_.eps, /*amsgrad=*/false, /*maximize=*/false);
  } catch (const c10::Error&) {
    fused_ok_ = false;  // this build's kernel refused: the formulas below from now on (clipping
    return false;       // again is a no-op: the norm is at most the clip now)
  }
  return true;
#else
  (void)p, (void)g;
  return false;
#endif
}

void FlatAdamW::device_step() {
  auto& p = params_.data();
  auto& g = params_.grad();
  ++steps_;
  t_.add_(1);
  torch::Tensor before;
  if (track_) before = p.clone();
  if (!fused_step(p, g)) formula_step(p, g);
  if (track_) {
    last_update_norm_ = (p - before).norm();
    track_ = false;
  }
}

void FlatAdamW::formula_step(torch::Tensor& p, torch::Tensor& g) {
  // The same formulas as the host path, as float64 scalars on the device.
  const auto& h = hyper_t_;
  const auto b1 = h.select(0, 1), b2 = h.select(0, 2), wd = h.select(0, 3), eps = h.select(0, 4),
             clip = h.select(0, 5);
  const auto lr_t = device_lr();
  const auto bc1 = 1 - torch::pow(b1, t_), bc2 = 1 - torch::pow(b2, t_);
  const auto f32 = [](const torch::Tensor& t) { return t.to(torch::kFloat); };
  if (hyper_.grad_clip > 0) {
    // scale = min(1, clip / (‖g‖ + 1e-6)); NaN when the norm is.
    g.mul_(f32(torch::clamp_max(clip / (g.norm().to(torch::kDouble) + 1e-6), 1.0)));
  }
  m_.lerp_(g, f32(1 - b1));
  v_.lerp_(g.square(), f32(1 - b2));
  p.mul_(f32(1 - lr_t * wd));
  p.sub_(m_ / (v_ / f32(bc2)).sqrt_().add_(f32(eps)) * f32(lr_t / bc1));
}

void FlatAdamW::host_step() {
  auto& p = params_.data();
  auto& g = params_.grad();
  if (one_pass(p, g)) {
    // scale = min(1, clip / (‖g‖ + 1e-6)), NaN when the norm is (as the tensor path gives).
    double scale = 1;
    if (hyper_.grad_clip > 0) {
      const double s = hyper_.grad_clip /
                       (std::sqrt(cpu_kernels::sum_squares(g.data_ptr<float>(), g.numel())) + 1e-6);
      scale = std::isnan(s) ? s : std::min(s, 1.0);
    }
    ++steps_;
    const double lr = hyper_.lr * lr_factor(hyper_, steps_);
    const double t = static_cast<double>(steps_);
    cpu_kernels::AdamWStep a;
    a.scale = static_cast<float>(scale);
    a.beta1 = static_cast<float>(hyper_.beta1);
    a.beta2 = static_cast<float>(hyper_.beta2);
    a.decay = static_cast<float>(1 - lr * hyper_.weight_decay);
    a.step = static_cast<float>(lr / (1 - std::pow(hyper_.beta1, t)));
    a.bc2 = static_cast<float>(1 - std::pow(hyper_.beta2, t));
    a.eps = static_cast<float>(hyper_.eps);
    torch::Tensor before;
    if (track_) before = p.clone();
    cpu_kernels::adamw(p.data_ptr<float>(), g.data_ptr<float>(), m_.data_ptr<float>(),
                       v_.data_ptr<float>(), p.numel(), a);
    if (track_) {
      last_update_norm_ = (p - before).norm();
      track_ = false;
    }
    return;
  }
  if (hyper_.grad_clip > 0) {
    // scale = min(1, clip / (‖g‖ + 1e-6)), kept on the device.
    g.mul_(torch::clamp_max(hyper_.grad_clip / (g.norm() + 1e-6), 1.0));
  }
  ++steps_;
  m_.mul_(hyper_.beta1).add_(g, 1 - hyper_.beta1);
  v_.mul_(hyper_.beta2).addcmul_(g, g, 1 - hyper_.beta2);
  const double bc1 = 1 - std::pow(hyper_.beta1, static_cast<double>(steps_));
  const double bc2 = 1 - std::pow(hyper_.beta2, static_cast<double>(steps_));
  torch::Tensor before;
  if (track_) before = p.clone();
  const double lr = hyper_.lr * lr_factor(hyper_, steps_);
  if (hyper_.weight_decay > 0) p.mul_(1 - lr * hyper_.weight_decay);
  auto denom = (v_ / bc2).sqrt_().add_(hyper_.eps);
  p.addcdiv_(m_, denom, -lr / bc1);
  if (track_) {
    last_update_norm_ = (p - before).norm();
    track_ = false;
  }
}

}  // namespace scorelab
