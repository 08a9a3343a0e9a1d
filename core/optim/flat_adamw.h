#pragma once
// AdamW with gradient-norm clipping over one FlatParameters buffer. Hyperparameters can change
// between any two steps (the app's live controls); the state is two moment tensors and a count.
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
  void set_hyper(const AdamWHyper& hyper) { hyper_ = hyper; }

  int64_t steps() const { return steps_; }
  torch::Tensor& exp_avg() { return m_; }
  torch::Tensor& exp_avg_sq() { return v_; }
  void set_steps(int64_t steps) { steps_ = steps; }

  // When on, the next step() records ‖Δθ‖ (as a device tensor) for diagnostics.
  void track_next_update() { track_ = true; }
  const torch::Tensor& last_update_norm() const { return last_update_norm_; }

 private:
  FlatParameters& params_;
  AdamWHyper hyper_;
  torch::Tensor m_, v_;
  int64_t steps_ = 0;
  bool track_ = false;
  torch::Tensor last_update_norm_;
};

}  // namespace scorelab
