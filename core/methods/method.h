#pragma once
// The small interface every training method implements (DSM here; SMT, SMD, SMM and GAN plug in
// beside it). A method owns its networks and optimizers; the Trainer owns the data, the Rng and
// the loop, and calls step() between commands.
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "optim/trainable_network.h"

namespace scorelab {

class Rng;
class Dataset;

// What a method is built from. The references outlive the method (the Trainer owns them).
struct MethodContext {
  Config config;
  torch::Device device = torch::kCPU;
  const Dataset* data = nullptr;
  const Rng* rng = nullptr;
  double sigma_data = 1.0;  // measured or from config
};

class Method {
 public:
  virtual ~Method() = default;
  virtual std::string name() const = 0;

  // Names of the losses step() reports, in order ("dsm"; later "score", "gen", ...).
  virtual std::vector<std::string> loss_names() const = 0;
  // One training iteration. Fills `losses` with one detached scalar tensor per loss name; does
  // not read them back (the Trainer does that every K steps).
  virtual void step(std::vector<torch::Tensor>& losses) = 0;

  // Every trainable network, for checkpoints, NaN checks and per-network throughput.
  virtual std::vector<TrainableNetwork*> networks() = 0;
  // Applies the live hyperparameters of `config` (learning rates, batch, noise, ...).
  virtual void update_hyperparams(const Config& config) = 0;

  // Score models that can be evaluated, e.g. {"score"}.
  virtual std::vector<std::string> score_models() const = 0;
  // The model that estimates the data score ∇log p_σ (at α = 1), which Langevin sampling uses;
  // empty when the method learns none.
  virtual std::string data_score_model() const { return "score"; }
  // Score of model `which` at rows x [N, D] for noise σ (α for α-conditioned models), [N, D]
  // float32.
  virtual torch::Tensor score(const std::string& which, const torch::Tensor& x, double sigma,
                              double alpha = 1.0) = 0;

  // One-step generation, for methods with a generator: n samples [n, D] on the method's device,
  // with z drawn from `rng` (not the training stream, so sampling never changes training).
  virtual bool has_generator() const { return false; }
  virtual torch::Tensor generate(int64_t n, const Rng& rng);
};

// Builds the method named by context.config.method.name; throws ConfigError for an unknown one.
std::unique_ptr<Method> make_method(const MethodContext& context);

// AdamW hyperparameters of a score network or a generator from the config.
AdamWHyper score_hyper(const OptimConfig& c);
AdamWHyper generator_hyper(const OptimConfig& c);
// Samples per generator update (optim.gen_batch, or optim.batch when that is 0).
inline int64_t generator_batch(const OptimConfig& c) {
  return c.gen_batch > 0 ? c.gen_batch : c.batch;
}

}  // namespace scorelab
