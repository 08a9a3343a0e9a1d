#pragma once
// The skeleton every one-step method shares (SMT, SMD, SMM, GAN): a generator g(z) and critics
// (score networks or discriminators) trained in turns — K = method.score_steps critic updates on
// real data and fresh fakes, then one generator update on g(z) for optim.gen_batch z — with an
// optional phase before: the generator's pretraining (method.pretrain_steps, for every method)
// and a method's own (SMD's teacher). A method's file holds only its losses.
#include <string>
#include <vector>

#include "methods/method.h"
#include "methods/one_step_generator.h"
#include "noise/sigma_schedules.h"

namespace scorelab {

// The losses of one iteration by name (Method::loss_names); those not set are 0.
class LossRow {
 public:
  LossRow(const std::vector<std::string>& names, torch::Device device);
  void set(const std::string& name, const torch::Tensor& value);  // stores it detached
  std::vector<torch::Tensor> take() { return std::move(values_); }

 private:
  const std::vector<std::string>& names_;
  std::vector<torch::Tensor> values_;
};

class OneStepMethod : public Method {
 public:
  void step(std::vector<torch::Tensor>& losses) final;
  // The method's other networks (SMD's teacher), its critics, then the generator.
  std::vector<TrainableNetwork*> networks() final;
  void update_hyperparams(const Config& config) final;
  torch::Tensor generate(int64_t n, const Rng& rng) final { return gen_.generate(n, rng); }
  std::string phase() const override;
  std::string step_kind() override;

  // One critic update on `real` rows (drawn from the data when undefined) and `fake` rows (from
  // the live generator when undefined); returns the critic's loss. Tests hand in samples of
  // known distributions and check the critic against its closed-form optimum.
  torch::Tensor critic_step(const torch::Tensor& fake = {}, const torch::Tensor& real = {});
  GeneratorNet& generator() { return gen_.module(); }
  int64_t last_generator_batch() const { return gen_.last_batch(); }

 protected:
  // critic_loss_name: the loss name the critic's loss is reported under.
  OneStepMethod(const MethodContext& context, uint64_t generator_seed,
                std::string critic_loss_name);

  const MethodContext& context() const { return ctx_; }
  const Config& config() const { return ctx_.config; }
  const Rng& rng() const { return *ctx_.rng; }
  OneStepGenerator& gen() { return gen_; }

  // The networks the critic loss trains, in checkpoint order.
  virtual std::vector<TrainableNetwork*> critics() = 0;
  // Networks trained outside the critic/generator turns (SMD's teacher), listed first.
  virtual std::vector<TrainableNetwork*> other_networks() { return {}; }
  // The critic's loss on real and fake rows; parts reported on their own go into `row`.
  virtual torch::Tensor critic_loss(const torch::Tensor& x_real, const torch::Tensor& x_fake,
                                    LossRow& row) = 0;
  // The generator's loss at its samples x = g(z) (with gradients into g); reports into `row`
  // (at least "gen"). Gradients it leaves on critics are cleared before their next update.
  virtual torch::Tensor generator_loss(const torch::Tensor& x, LossRow& row) = 0;
  // A step before the critic/generator turns (SMD's teacher), after the generator's pretraining;
  // true when it took one.
  virtual bool phase_step(LossRow&) { return false; }
  // The kind of step phase_step() takes next ("teacher"), "" when it takes none.
  virtual std::string phase_kind() const { return {}; }
  // Live settings of the method's own (noise and α samplers); config() is already the new one.
  virtual void apply_hyperparams(const Config&) {}

  // Denoiser and score in one: (D(x; σ) − x)/σ² for the score queries of denoising models.
  static torch::Tensor denoiser_score(const torch::Tensor& denoised, const ScoreQuery& q) {
    return (denoised - q.x) / (q.sigma * q.sigma);
  }

 private:
  torch::Tensor critic_update(const torch::Tensor& fake, const torch::Tensor& real, LossRow& row);
  // One generator pretraining update while method.pretrain_steps asks for more; false after.
  bool pretrain_step(LossRow& row);
  bool will_pretrain();

  MethodContext ctx_;
  OneStepGenerator gen_;
  std::string critic_loss_name_;
  SigmaSampler pretrain_sigmas_;
  bool pretraining_ = false;
};

// Mean over the coordinates of each row, [B, 1].
inline torch::Tensor row_mean(const torch::Tensor& t) {
  return t.mean(1, /*keepdim=*/true);
}

}  // namespace scorelab
