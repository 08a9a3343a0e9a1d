#pragma once
// Self-describing checkpoints. Layout: the 14-byte magic "SCORELAB-CKPT\n", an 8-byte
// little-endian header length, a JSON header (format version, config, step, per-network
// parameter names and shapes, a table of tensors, the data's byte count and FNV-1a checksum),
// then the raw tensor bytes. Written to a temporary file and renamed. Reading checks the magic,
// the version, the sizes and the checksum; restoring checks every name and shape and says
// exactly what does not match.
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "config/config.h"

namespace scorelab {

class Method;
class Rng;
class TrainableNetwork;

constexpr int kCheckpointFormatVersion = 1;

struct CheckpointNetwork {
  std::string name;
  int64_t updates = 0;
  std::vector<std::pair<std::string, std::vector<int64_t>>> params;  // name, shape, in order
  torch::Tensor flat, exp_avg, exp_avg_sq;                           // [numel] float32, CPU
  torch::Tensor ema;                                                 // [numel], or undefined
  std::map<std::string, torch::Tensor> buffers;                      // CPU
};

struct Checkpoint {
  int format_version = kCheckpointFormatVersion;
  Config config;
  std::string method;
  int64_t step = 0;
  double train_seconds = 0;
  std::vector<CheckpointNetwork> networks;
  torch::Tensor rng_state;  // CPU generator state (uint8)
};

// Captures the method's networks, optimizer state and the Rng.
Checkpoint capture_checkpoint(Method& method, const Config& config, int64_t step,
                              double train_seconds, const Rng& rng);
void write_checkpoint(const Checkpoint& checkpoint, const std::string& path);
// Throws CheckpointError naming the file and what is wrong.
Checkpoint read_checkpoint(const std::string& path);
// Copies weights and optimizer state into `method`. Throws CheckpointError listing every
// network, parameter or buffer whose name or shape does not match; `method` is untouched then.
void restore_checkpoint(const Checkpoint& checkpoint, Method& method);
// The same for one network (e.g. a teacher taken from another run); `what` names the source in
// the error.
void restore_network(const CheckpointNetwork& saved, TrainableNetwork& net,
                     const std::string& what);

}  // namespace scorelab
