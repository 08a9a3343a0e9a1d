#pragma once
// A method whose training steps run under CUDA bf16 autocast (run.precision = bf16). Everything
// else (sampling, score fields, checkpoints) goes straight to the wrapped method in float32.
#include <memory>

#include "methods/method.h"

namespace scorelab {

class Bf16Method final : public Method {
 public:
  explicit Bf16Method(std::unique_ptr<Method> inner)
      : Method(inner->traits(), inner->device()), inner_(std::move(inner)) {}

  void step(std::vector<torch::Tensor>& losses) override;
  std::vector<TrainableNetwork*> networks() override { return inner_->networks(); }
  void update_hyperparams(const Config& config) override { inner_->update_hyperparams(config); }
  std::vector<std::string> score_models() const override { return inner_->score_models(); }
  torch::Tensor generate(int64_t n, const Rng& rng) override { return inner_->generate(n, rng); }
  std::string phase() const override { return inner_->phase(); }
  void set_batch_mean(BatchMean across) override { inner_->set_batch_mean(std::move(across)); }
  std::string step_kind() override { return inner_->step_kind(); }
  void set_phase_timer(PhaseTimer* timer) override { inner_->set_phase_timer(timer); }

 protected:
  torch::Tensor score_of(const ScoreQuery& q) override {
    return inner_->score(q.which, q.x, q.sigma, q.alpha);
  }

 private:
  std::unique_ptr<Method> inner_;
};

}  // namespace scorelab
