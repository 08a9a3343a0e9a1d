#pragma once
// The non-saturating GAN baseline (SMT paper, Eq. 1-2) with the same generator as the score
// methods and an MLP discriminator D(x) (a logit):
//   discriminator:  softplus(−D(x_real)) + softplus(D(G(z)))   (K = method.score_steps updates)
//   generator:      softplus(−D(G(z)))
// For a fixed generator the discriminator's optimum is D* = log p/q. A GAN learns no score.
#include "methods/one_step_method.h"

namespace scorelab {

class GanMethod : public OneStepMethod {
 public:
  explicit GanMethod(const MethodContext& context);

  // The discriminator's logit, public for tests.
  torch::Tensor logit(const torch::Tensor& x);

 protected:
  std::vector<TrainableNetwork*> critics() override { return {&disc_net_}; }
  torch::Tensor critic_loss(const torch::Tensor& x_real, const torch::Tensor& x_fake,
                            LossRow& row) override;
  torch::Tensor generator_loss(const torch::Tensor& x, LossRow& row) override;
  torch::Tensor score_of(const ScoreQuery& q) override;

 private:
  DiscriminatorNet disc_;
  TrainableNetwork disc_net_;
};

}  // namespace scorelab
