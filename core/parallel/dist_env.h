#pragma once
// Where this process stands in a data-parallel run, read from the environment torchrun-style
// launchers (and `scorelab-cli train --nproc N`) set: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT. Without them the process is rank 0 of 1.
#include <cstdint>
#include <string>

namespace scorelab {

struct DistEnv {
  int rank = 0;
  int world = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;

  bool distributed() const { return world > 1; }
  // Throws ConfigError naming the variable when one is set but malformed or out of range.
  static DistEnv from_environment();
};

}  // namespace scorelab
