#pragma once
// The non-saturating GAN baseline (SMT paper, Eq. 1-2) with the same generator as the score
// methods and an MLP discriminator D(x) (a logit):
//   discriminator:  softplus(−D(x_real)) + softplus(D(G(z)))   (K = method.score_steps updates)
//   generator:      softplus(−D(G(z)))
// For a fixed generator the discriminator's optimum is D* = log p/q.
#include "data/dataset.h"
#include "methods/method.h"
#include "methods/one_step_generator.h"

namespace scorelab {

class GanMethod : public Method {
 public:
  explicit GanMethod(const MethodContext& context);

  std::string name() const override { return "gan"; }
  std::vector<std::string> loss_names() const override { return {"disc", "gen"}; }
  void step(std::vector<torch::Tensor>& losses) override;
  std::vector<TrainableNetwork*> networks() override { return {&disc_net_, &gen_.network()}; }
  void update_hyperparams(const Config& config) override;
  // A GAN learns no score.
  std::vector<std::string> score_models() const override { return {}; }
  std::string data_score_model() const override { return ""; }
  torch::Tensor score(const std::string& which, const torch::Tensor& x, double sigma,
                      double alpha) override;
  bool has_generator() const override { return true; }
  torch::Tensor generate(int64_t n, const Rng& rng) override;

  // Pieces, public for tests: one discriminator update with fakes from `fake` (the live
  // generator when empty) and reals from `real` (the data set when empty), and the logit.
  torch::Tensor disc_step(const torch::Tensor& fake = {}, const torch::Tensor& real = {});
  torch::Tensor logit(const torch::Tensor& x);

 private:
  torch::Tensor gen_step();

  MethodContext ctx_;
  DiscriminatorNet disc_;
  OneStepGenerator gen_;
  TrainableNetwork disc_net_;
};

}  // namespace scorelab
