#pragma once
// The generator every one-step method trains: g(z) with its optimizer, the EMA copy that
// sampling uses, and the few things a method does with it (draw fakes, take a step on a loss).
#include "methods/method.h"
#include "models/networks.h"

namespace scorelab {

class OneStepGenerator {
 public:
  OneStepGenerator(const MethodContext& context, uint64_t seed_offset);

  // g(z) for fresh z from the training stream, rows [n, D], with gradients to the generator.
  torch::Tensor forward(int64_t n);
  // The same without gradients: fakes for the score / discriminator updates.
  torch::Tensor draw(int64_t n);
  // Samples from the EMA generator with z from `rng` (evaluation and display).
  torch::Tensor generate(int64_t n, const Rng& rng);
  // zero_grad, backward of `loss`, one optimizer (and EMA) update. Gradients that the backward
  // leaves on other networks are theirs to clear before their next update.
  void step(const torch::Tensor& loss);
  void update_hyperparams(const Config& config);

  TrainableNetwork& network() { return net_; }
  int64_t updates() const { return net_.updates(); }
  // Rows of the latest forward(): the generator batch of the latest update.
  int64_t last_batch() const { return last_batch_; }
  GeneratorNet& module() { return gen_; }

 private:
  const Rng* rng_;
  int64_t z_dim_;
  GeneratorNet gen_, ema_;
  TrainableNetwork net_;
  int64_t last_batch_ = 0;
};

}  // namespace scorelab
