#pragma once
// One network's state — weights, AdamW moments, update count, EMA weights, buffers — as a
// checkpoint stores it, the NaN guard restores it and the probe thread's copy of the model takes
// it. Restoring checks every name and shape first and says exactly what does not match.
#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace scorelab {

class TrainableNetwork;

struct NetworkState {
  std::string name;
  int64_t updates = 0;
  std::vector<std::pair<std::string, std::vector<int64_t>>> params;  // name, shape, in order
  torch::Tensor flat, exp_avg, exp_avg_sq;                           // [numel] float32
  torch::Tensor ema;                                                 // [numel], or undefined
  std::map<std::string, torch::Tensor> buffers;
};

// Copies `net`'s state into `into` on `device`, reusing its tensors when they fit (a guard that
// captures every few steps allocates nothing). Without the optimizer, only weights, EMA and
// buffers (what evaluation needs).
void capture_network(TrainableNetwork& net, NetworkState& into, torch::Device device,
                     bool with_optimizer = true);
NetworkState capture_network(TrainableNetwork& net, torch::Device device,
                             bool with_optimizer = true);

// Appends to `problems` every way `saved` does not fit `net` (names, shapes, sizes, buffers).
void check_network_state(const NetworkState& saved, TrainableNetwork& net,
                         std::vector<std::string>& problems);
// Copies without checking; a state without optimizer moments leaves the optimizer as it is.
void copy_network_state(const NetworkState& saved, TrainableNetwork& net);
// Checks, then copies; throws CheckpointError "`what` does not match the model: …".
void restore_network(const NetworkState& saved, TrainableNetwork& net, const std::string& what);
// Throws CheckpointError listing `problems` under `what`; nothing when there are none.
void throw_mismatch(const std::string& what, const std::vector<std::string>& problems);

}  // namespace scorelab
