#include "optim/trainable_network.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

namespace scorelab {

TrainableNetwork::TrainableNetwork(std::string name, std::shared_ptr<torch::nn::Module> module,
                                   const AdamWHyper& hyper)
    : name_(std::move(name)),
      module_(std::move(module)),
      params_(*module_),
      optimizer_(params_, hyper) {}

}  // namespace scorelab

namespace scorelab {

void TrainableNetwork::step() {
  if (gradient_sync_) gradient_sync_(params_.grad(), name_);
  optimizer_.step();
  if (ema_) {
    torch::NoGradGuard no_grad;
    // Warm-up: early on the average forgets the random initialisation faster.
    const double t = static_cast<double>(optimizer_.steps());
    const double decay = std::min(ema_decay_, (1 + t) / (10 + t));
    ema_->data().lerp_(params_.data(), 1.0 - decay);
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
  ema_decay_ = decay;
}

}  // namespace scorelab
