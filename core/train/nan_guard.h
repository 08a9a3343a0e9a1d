#pragma once
// Catches a NaN or inf in training without a host sync per step: the losses of each step stay
// on the device until a readback (every run.log_every steps), which checks them and every
// network's weights at once. Divergence counts too, though clipping keeps it finite: a loss
// whose magnitude passes 10^6 times its size at the start (the median of the first readback,
// at least 0.01), or 10^10 in any case, is treated as a NaN. A good readback refreshes a copy of
// the whole training state (every network, its optimizer, the Rng); a bad one restores it and names
// the first bad loss or network.
#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

#include "optim/network_state.h"

namespace scorelab {

class Rng;
class TrainableNetwork;

class NanGuard {
 public:
  // One step's losses (detached scalars), kept on the device until the next readback.
  void record(const std::vector<torch::Tensor>& step_losses);
  bool pending() const { return !rows_.empty(); }
  void discard() { rows_.clear(); }

  // Reads the recorded losses back (one host sync) and checks them and the weights. Returns the
  // rows [k, losses] (float64, CPU) when all is finite and nothing diverged; otherwise fills
  // `problem` with the first bad loss (by name, at its step) or network. `last_step` is the step
  // of the latest row.
  std::optional<torch::Tensor> read(const std::vector<TrainableNetwork*>& networks,
                                    const std::vector<std::string>& loss_names, int64_t last_step,
                                    std::string& problem);

  // Copies the state of a good readback (in place after the first time).
  void save(const std::vector<TrainableNetwork*>& networks, int64_t step, double train_seconds,
            const Rng& rng);
  // Puts the saved state back; returns its step. The Rng is restored on the CPU only (a CUDA
  // generator's state is not kept).
  int64_t restore(const std::vector<TrainableNetwork*>& networks, Rng& rng);
  double saved_train_seconds() const { return train_seconds_; }

 private:
  static constexpr double kDivergenceGrowth = 1e6, kDivergenceFloor = 1e-2,
                          kDivergenceCeiling = 1e10;
  bool diverged(const torch::Tensor& rows, const std::vector<std::string>& loss_names,
                int64_t last_step, std::string& problem);

  torch::Tensor reference_;  // each loss's magnitude at the start (CPU, float64)
  std::vector<torch::Tensor> rows_;
  std::vector<NetworkState> states_;
  int64_t step_ = -1;
  double train_seconds_ = 0;
  torch::Tensor rng_state_;
};

}  // namespace scorelab
