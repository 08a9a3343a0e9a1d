#pragma once
// AdamW with gradient-norm clipping over one FlatParameters buffer. Hyperparameters can change
// between any two steps (the app's live controls); the state is two moment tensors and a count.
//
// Off the CPU every number an update needs (learning rate with its schedule, betas, bias
// corrections, clip) is computed on the device from a step counter and a hyperparameter tensor
// that live there: an update is then a fixed sequence of kernels with no host values baked in,
// so a CUDA graph captured once replays every later update, and a live change of a
// hyperparameter is a write into that tensor, not a re-capture.
#include <torch/types.h>

#include "optim/flat_parameters.h"

namespace scorelab {

struct AdamWHyper {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double weight_decay = 0.01;
  double eps = 1e-8;
  double grad_clip = 0;  // 0 = off
  // Schedule over the optimizer's own update count: a linear warm-up over `warmup` updates,
  // then (cosine) a half-cosine from lr to 0 at `decay_steps` updates.
  int64_t warmup = 0;
  bool cosine = false;
  int64_t decay_steps = 0;
};

// The learning rate's multiplier at update number `update` (1-based): warm-up × decay.
double lr_factor(const AdamWHyper& hyper, int64_t update);

class FlatAdamW {
 public:
  FlatAdamW(FlatParameters& params, const AdamWHyper& hyper);

  // One update from params.grad(). No host sync: the clip factor stays a device tensor.
  void step();

  const AdamWHyper& hyper() const { return hyper_; }
  // The learning rate of the latest update (the schedule applied).
  double current_lr() const { return hyper_.lr * lr_factor(hyper_, steps_ > 0 ? steps_ : 1); }
  // Takes effect at the next update; on the device path it is written into the device tensor
  // the updates read (never call it while a CUDA graph is being captured).
  void set_hyper(const AdamWHyper& hyper);

  int64_t steps() const { return steps_; }
  torch::Tensor& exp_avg() { return m_; }
  torch::Tensor& exp_avg_sq() { return v_; }
  // The update count, on the host and (device path) the device.
  void set_steps(int64_t steps);
  // The host count alone: a CUDA graph's capture counts updates it did not run, its replays run
  // updates the host did not count (the device counter is the graph's).
  void set_host_steps(int64_t steps) { steps_ = steps; }

  // When on, the next step() records ‖Δθ‖ (as a device tensor) for diagnostics.
  void track_next_update() { track_ = true; }
  const torch::Tensor& last_update_norm() const { return last_update_norm_; }

  // The device path: forced on for tests on the CPU, always on off the CPU.
  void use_device_path(bool on);
  bool device_path() const { return device_path_; }
  // The update count as a device scalar (float32), read by the EMA of the device path.
  const torch::Tensor& device_steps() const { return t_; }

 private:
  void host_step();
  void device_step();
  // The device path's update: libtorch's fused AdamW kernel (CUDA, libtorch >= 2.4; false when
  // unavailable), else the formulas as device ops.
  bool fused_step(torch::Tensor& p, torch::Tensor& g);
  void formula_step(torch::Tensor& p, torch::Tensor& g);
  // lr at the device's update count: lr32_ without a schedule, else computed there.
  torch::Tensor device_lr() const;
  void write_hyper();

  FlatParameters& params_;
  AdamWHyper hyper_;
  torch::Tensor m_, v_;
  int64_t steps_ = 0;
  bool track_ = false;
  torch::Tensor last_update_norm_;
  bool device_path_ = false;
  // Device path: [lr, beta1, beta2, weight_decay, eps, grad_clip, warmup, cosine decay steps]
  // (float64), the update count (float32, as the fused kernel takes it) and lr (float32), on the
  // parameters' device.
  torch::Tensor hyper_t_, t_, lr32_;
  bool fused_ok_ = true;
};

}  // namespace scorelab
