#pragma once
// A trainable network: its module, the flat parameter buffer and its AdamW state, and how many
// updates it has had (for the per-network steps/s figures).
#include <torch/nn/module.h>

#include <memory>
#include <string>

#include "optim/flat_adamw.h"
#include "optim/flat_parameters.h"

namespace scorelab {

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
  void step() { optimizer_.step(); }
  int64_t updates() const { return optimizer_.steps(); }

 private:
  std::string name_;
  std::shared_ptr<torch::nn::Module> module_;
  FlatParameters params_;
  FlatAdamW optimizer_;
};

}  // namespace scorelab
