#pragma once
// A method whose training steps run under CUDA bf16 autocast (run.precision = bf16). Everything
// else (sampling, score fields, checkpoints) goes straight to the wrapped method in float32.
#include <memory>

#include "methods/method.h"

namespace scorelab {

class Bf16Method final : public Method {
 public:
  explicit Bf16Method(std::unique_ptr<Method> inner) : inner_(std::move(inner)) {}

  std::string name() const override { return inner_->name(); }
  std::vector<std::string> loss_names() const override { return inner_->loss_names(); }
  void step(std::vector<torch::Tensor>& losses) override;
  std::vector<TrainableNetwork*> networks() override { return inner_->networks(); }
  void update_hyperparams(const Config& config) override { inner_->update_hyperparams(config); }
  std::vector<std::string> score_models() const override { return inner_->score_models(); }
  std::string data_score_model() const override { return inner_->data_score_model(); }
  torch::Tensor score(const std::string& which, const torch::Tensor& x, double sigma,
                      double alpha) override {
    return inner_->score(which, x, sigma, alpha);
  }
  bool has_generator() const override { return inner_->has_generator(); }
  torch::Tensor generate(int64_t n, const Rng& rng) override { return inner_->generate(n, rng); }

 private:
  std::unique_ptr<Method> inner_;
};

}  // namespace scorelab
