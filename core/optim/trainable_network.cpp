#include "optim/trainable_network.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "common/phase_timer.h"

namespace scorelab {

TrainableNetwork::TrainableNetwork(std::string name, std::shared_ptr<torch::nn::Module> module,
                                   const AdamWHyper& hyper)
    : name_(std::move(name)),
      module_(std::move(module)),
      params_(*module_),
      optimizer_(params_, hyper) {
  use_device_path(optimizer_.device_path());
}

}  // namespace scorelab

namespace scorelab {

void TrainableNetwork::step() {
  {
    PhaseScope timed(timer_, "optimizer");
    if (gradient_sync_) gradient_sync_(params_.grad(), name_);
    optimizer_.step();
  }
  if (!ema_) return;
  PhaseScope timed(timer_, "ema");
  torch::NoGradGuard no_grad;
  if (optimizer_.device_path()) {
    // The same warm-up from the device's update count: nothing host-side is baked into a graph.
    // 1 − min(decay, (1 + t)/(10 + t)) = max(1 − decay, 9/(10 + t)), in float32.
    const auto& t = optimizer_.device_steps();
    ema_->data().lerp_(params_.data(),
                       torch::maximum((t + 10).reciprocal_().mul_(9), ema_weight_t_));
    return;
  }
  // Warm-up: early on the average forgets the random initialisation faster.
  const double t = static_cast<double>(optimizer_.steps());
  const double decay = std::min(ema_decay_, (1 + t) / (10 + t));
  ema_->data().lerp_(params_.data(), 1.0 - decay);
}

void TrainableNetwork::set_ema_decay(double decay) {
  ema_decay_ = decay;
  if (ema_weight_t_.defined()) ema_weight_t_.fill_(1 - decay);  // in place: graphs read it
}

void TrainableNetwork::use_device_path(bool on) {
  optimizer_.use_device_path(on);
  if (on && !ema_weight_t_.defined()) {
    ema_weight_t_ = torch::full({}, 1 - ema_decay_, params_.data().options().dtype(torch::kFloat));
  }
}

void TrainableNetwork::attach_ema(std::shared_ptr<torch::nn::Module> shadow, double decay) {
  shadow_ = std::move(shadow);
  ema_ = std::make_unique<FlatParameters>(*shadow_);
  if (ema_->numel() != params_.numel()) {
    throw std::invalid_argument("attach_ema: the shadow module differs from " + name_);
  }
  torch::NoGradGuard no_grad;
  ema_->data().copy_(params_.data());
  set_ema_decay(decay);
}

}  // namespace scorelab
