#pragma once
// Proves that a training step holds no host round trip on CUDA: runs steps with libtorch's CUDA
// sync debug mode set to "error", so any synchronizing operation inside a step (an .item(), a
// device-to-host copy, a nonzero) throws and is reported with its message.
#include <string>
#include <vector>

namespace scorelab::bench {

// Returns the process exit code: 0 when every preset's steps ran without a synchronization.
int print_sync_check(const std::vector<std::string>& presets, const std::string& device,
                     const std::string& precision, int steps);

}  // namespace scorelab::bench
