#include "optim/flat_adamw.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "common/cpu_kernels.h"

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
      v_(torch::zeros_like(params.data())) {}

namespace {
// The one-pass CPU kernel serves float32 buffers on an AVX2 CPU.
bool one_pass(const torch::Tensor& p, const torch::Tensor& g) {
  return p.is_cpu() && p.scalar_type() == torch::kFloat && p.is_contiguous() && g.is_contiguous() &&
         cpu_kernels::available();
}
}  // namespace

void FlatAdamW::step() {
  torch::NoGradGuard no_grad;
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
