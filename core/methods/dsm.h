#pragma once
// Denoising score matching (the multi-step baseline): one σ-conditioned denoiser trained with
// EDM's weighted loss λ(σ)·‖D(x + σε; σ) − x‖², λ = 1/σ² + 1/σ_d², σ drawn per sample.
#include "data/dataset.h"
#include "methods/method.h"
#include "models/networks.h"
#include "noise/sigma_schedules.h"

namespace scorelab {

// EDM's weighted denoising loss of `model` on clean x with noise σ·ε (σ [B, 1]), mean over
// samples and dimensions.
torch::Tensor dsm_loss(ScoreNetImpl& model, const torch::Tensor& x, const torch::Tensor& sigma,
                       const torch::Tensor& eps, double sigma_data);

class DsmMethod : public Method {
 public:
  explicit DsmMethod(const MethodContext& context);

  void step(std::vector<torch::Tensor>& losses) override;
  std::vector<TrainableNetwork*> networks() override { return {&net_}; }
  void update_hyperparams(const Config& config) override;

  // The DSM loss on a given batch (exposed for tests).
  torch::Tensor loss(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& eps);
  ScoreNet& model() { return model_; }
  double sigma_data() const { return ctx_.sigma_data; }

 protected:
  torch::Tensor score_of(const ScoreQuery& q) override;

 private:
  MethodContext ctx_;
  ScoreNet model_;
  ScoreNet ema_model_;  // the weights evaluation uses: an EMA of model_'s
  TrainableNetwork net_;
  SigmaSampler sigmas_;
};

}  // namespace scorelab
