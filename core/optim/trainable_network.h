#pragma once
// A trainable network: its module, the flat parameter buffer and its AdamW state, how many
// updates it has had (for the per-network steps/s figures), and optionally an exponential moving
// average of its weights held by a shadow copy of the module, which evaluation uses.
#include <torch/nn/module.h>

#include <functional>
#include <memory>
#include <string>

#include "optim/flat_adamw.h"
#include "optim/flat_parameters.h"

namespace scorelab {

class PhaseTimer;

class TrainableNetwork {
 public:
  // The module must already be on its device.
  TrainableNetwork(std::string name, std::shared_ptr<torch::nn::Module> module,
                   const AdamWHyper& hyper);

  const std::string& name() const { return name_; }
  torch::nn::Module& module() { return *module_; }
  FlatParameters& params() { return params_; }
  FlatAdamW& optimizer() { return optimizer_; }
  const FlatAdamW& optimizer() const { return optimizer_; }

  void zero_grad() { params_.zero_grad(); }
  // Called with the flat gradient before every update (data-parallel training averages it over
  // the ranks there); none by default.
  using GradientSync = std::function<void(torch::Tensor& flat_grad, const std::string& name)>;
  void set_gradient_sync(GradientSync sync) { gradient_sync_ = std::move(sync); }
  // One optimizer update (after the gradient sync), then ema ← ema + (1 − decay)·(θ − ema) when
  // there is a shadow.
  void step();
  int64_t updates() const { return optimizer_.steps(); }
  // The optimizer's and the EMA's device path (flat_adamw.h): on by itself off the CPU; tests
  // force it on the CPU to compare it with the host path.
  void use_device_path(bool on);
  // Times the update's optimizer and EMA sections when set.
  void set_phase_timer(PhaseTimer* timer) { timer_ = timer; }

  // Attaches a shadow module of identical structure (its buffers equal to the module's) whose
  // weights track the EMA of this network's; decay 0 makes it a plain copy.
  void attach_ema(std::shared_ptr<torch::nn::Module> shadow, double decay);
  void set_ema_decay(double decay);
  bool has_ema() const { return ema_ != nullptr; }
  FlatParameters* ema() { return ema_.get(); }

 private:
  std::string name_;
  std::shared_ptr<torch::nn::Module> module_;
  FlatParameters params_;
  FlatAdamW optimizer_;
  std::shared_ptr<torch::nn::Module> shadow_;
  std::unique_ptr<FlatParameters> ema_;
  double ema_decay_ = 0;
  torch::Tensor ema_weight_t_;  // device path: 1 − decay as a float32 device scalar
  GradientSync gradient_sync_;
  PhaseTimer* timer_ = nullptr;
};

}  // namespace scorelab
