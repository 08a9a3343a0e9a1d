#pragma once
// Puts a module in evaluation mode (dropout off) for a scope and restores its training mode.
#include <torch/nn/module.h>

namespace scorelab {

class EvalModeScope {
 public:
  EvalModeScope(torch::nn::Module& module, bool active)
      : module_(module), restore_(active && module.is_training()) {
    if (restore_) module_.eval();
  }
  ~EvalModeScope() {
    if (restore_) module_.train();
  }
  EvalModeScope(const EvalModeScope&) = delete;
  EvalModeScope& operator=(const EvalModeScope&) = delete;

 private:
  torch::nn::Module& module_;
  bool restore_;
};

}  // namespace scorelab
