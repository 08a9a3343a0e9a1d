#pragma once
// The small interface every training method implements. A method owns its networks and
// optimizers; the Trainer owns the data, the Rng and the loop, and calls step() between commands.
// What a method is (its name, losses, networks, whether it has a generator) is declared once, in
// its MethodTraits (method_registry.h); the one-step methods share one skeleton
// (one_step_method.h).
#include <torch/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "methods/method_registry.h"
#include "optim/network_state.h"
#include "optim/trainable_network.h"

namespace scorelab {

class Rng;
class Dataset;
class PhaseTimer;

// What a method is built from. The references outlive the method (the Trainer owns them).
struct MethodContext {
  Config config;
  torch::Device device = torch::kCPU;
  const Dataset* data = nullptr;
  const Rng* rng = nullptr;
  double sigma_data = 1.0;  // measured or from config
  // SMD: the teacher's score network, read by the caller from method.teacher (train/); empty =
  // none given.
  std::shared_ptr<const NetworkState> teacher;
};

class Method {
 public:
  Method(const MethodTraits& traits, torch::Device device) : traits_(&traits), device_(device) {}
  virtual ~Method() = default;

  const MethodTraits& traits() const { return *traits_; }
  torch::Device device() const { return device_; }
  const std::string& name() const { return traits_->name; }
  // Names of the losses step() reports, in order.
  const std::vector<std::string>& loss_names() const { return traits_->loss_names; }
  // The model that estimates the data score ∇log p_σ (at α = 1), which Langevin sampling uses;
  // empty when the method learns none.
  const std::string& data_score_model() const { return traits_->data_score_model; }
  bool has_generator() const { return traits_->has_generator; }

  // One training iteration. Fills `losses` with one detached scalar tensor per loss name; does
  // not read them back (the Trainer does that every K steps).
  virtual void step(std::vector<torch::Tensor>& losses) = 0;

  // Every trainable network, for checkpoints, NaN checks and per-network throughput.
  virtual std::vector<TrainableNetwork*> networks() = 0;
  // Applies the live hyperparameters of `config` (learning rates, batch, noise, ...). The config
  // has been validated; the method keeps it.
  virtual void update_hyperparams(const Config& config) = 0;

  // Score models that can be evaluated, e.g. {"score"}.
  virtual std::vector<std::string> score_models() const { return traits_->score_models; }
  // Which branch the next step() takes ("pretrain", "teacher", "main", ...): a step of another
  // kind than the one before runs eagerly, and a CUDA graph replays only the kind it captured.
  virtual std::string step_kind() { return "main"; }
  // Times the step's sections (critic, generator, gan, optimizer, ema) when set; null = off.
  virtual void set_phase_timer(PhaseTimer* timer);

  // What the method is doing when it is not yet training proper ("pretraining the generator:
  // step i/N", SMD's teacher); "" otherwise. Read on the training thread, after step().
  virtual std::string phase() const { return {}; }
  // Score of model `which` at rows x [N, D] for noise σ (α for α-conditioned models), [N, D]
  // float32 on the method's device. Throws ConfigError for a model the method does not have.
  torch::Tensor score(const std::string& which, const torch::Tensor& x, double sigma,
                      double alpha = 1.0);

  // One-step generation, for methods with a generator: n samples [n, D] on the method's device,
  // with z drawn from `rng` (not the training stream, so sampling never changes training).
  virtual torch::Tensor generate(int64_t n, const Rng& rng);

  // A statistic taken over the batch (a mean) becomes the whole batch's in a data-parallel run:
  // `across` averages it over the ranks (whose batches are equally large), as SyncBatchNorm
  // does; unset, it is this process's.
  using BatchMean = std::function<torch::Tensor(const torch::Tensor&)>;
  virtual void set_batch_mean(BatchMean across) { batch_mean_ = std::move(across); }

 protected:
  // A score query as the models take it: x on the device in float32 and σ as a [N, 1] column.
  struct ScoreQuery {
    std::string which;
    torch::Tensor x, sigma_column;
    double sigma = 1, alpha = 1;
  };
  // Called without gradients, for a model listed by score_models().
  virtual torch::Tensor score_of(const ScoreQuery& q) = 0;

  // The mean of a batch statistic over the whole (all ranks') batch; see set_batch_mean.
  torch::Tensor whole_batch_mean(const torch::Tensor& local_mean) const {
    return batch_mean_ ? batch_mean_(local_mean) : local_mean;
  }
  PhaseTimer* timer() const { return timer_; }

 private:
  BatchMean batch_mean_;
  PhaseTimer* timer_ = nullptr;
  const MethodTraits* traits_;
  torch::Device device_;
};

// Builds the method named by context.config.method.name (under bf16 autocast when
// run.precision = bf16); throws ConfigError for an unknown one.
std::unique_ptr<Method> make_method(const MethodContext& context);

// AdamW hyperparameters (with the learning-rate schedule) of a score network or discriminator,
// and of a generator, from the config. A network taking updates_per_step updates per run step
// decays over run.steps × that many when optim.lr_decay_steps is 0.
AdamWHyper score_hyper(const Config& c, int64_t updates_per_step = 1);
AdamWHyper generator_hyper(const Config& c);
// Samples per generator update (optim.gen_batch, or optim.batch when that is 0).
inline int64_t generator_batch(const OptimConfig& c) {
  return c.gen_batch > 0 ? c.gen_batch : c.batch;
}

}  // namespace scorelab
