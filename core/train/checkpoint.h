#pragma once
// Self-describing checkpoints. Layout: the 14-byte magic "SCORELAB-CKPT\n", an 8-byte
// little-endian header length, a JSON header (format version, config, step, per-network
// parameter names and shapes, a table of tensors, the data's byte count), the raw tensor bytes,
// and an 8-byte FNV-1a checksum of everything before it. Written to a temporary file and
// renamed. Reading checks the magic, the version, the checksum, and that the header agrees with
// itself (every tensor inside the data, none overlapping, each used, shapes within the file's
// size) before it allocates; restoring checks every name and shape and says exactly what does
// not match.
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "optim/network_state.h"

namespace scorelab {

class Method;
class Rng;

constexpr int kCheckpointFormatVersion = 2;

struct Checkpoint {
  int format_version = kCheckpointFormatVersion;
  Config config;
  std::string method;
  int64_t step = 0;
  double train_seconds = 0;
  std::vector<NetworkState> networks;
  torch::Tensor rng_state;  // CPU generator state (uint8)
};

// Captures the method's networks, optimizer state and the Rng.
Checkpoint capture_checkpoint(Method& method, const Config& config, int64_t step,
                              double train_seconds, const Rng& rng);
void write_checkpoint(const Checkpoint& checkpoint, const std::string& path);
// Throws CheckpointError naming the file and what is wrong.
Checkpoint read_checkpoint(const std::string& path);
// The same over a file's bytes already in memory; `name` stands for the file in messages.
Checkpoint parse_checkpoint(const std::string& bytes, const std::string& name);
// Copies weights and optimizer state into `method`. Throws CheckpointError listing every
// network, parameter or buffer whose name or shape does not match; `method` is untouched then.
void restore_checkpoint(const Checkpoint& checkpoint, Method& method);
}  // namespace scorelab
