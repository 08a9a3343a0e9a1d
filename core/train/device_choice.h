#pragma once
// Where a run trains: run.device resolved, and for `auto` the device that trains this config
// fastest, with the reason in words (the CLI's first lines and the app's status bar show it).
//
// The rule, from figures measured on an H200 against CPU cores (docs/gpu.md): image networks
// train many times faster on any CUDA GPU; 2-D networks are so small that an eager GPU step is
// bound by kernel launches (59 SMT generator steps/s against 133 on one core of the same machine,
// 15–70 on 2-core machines), so they go to the GPU only when the step runs as one CUDA graph
// (481 steps/s there).
#include <string>

#include <torch/types.h>

#include "config/config.h"

namespace scorelab {

struct DeviceChoice {
  torch::Device device = torch::kCPU;
  std::string reason;  // "" when run.device named the device
};

// What the rule picks without touching a device: "cuda" or "cpu", and why.
struct AutoDeviceInputs {
  bool cuda_present = false;
  bool image_data = false;
  bool cuda_graphs = false;  // this build can capture, and run.cuda_graph is not off
  bool bf16 = false;         // run.precision = bf16 needs CUDA
};
DeviceChoice auto_device_rule(const AutoDeviceInputs& in);

// run.device resolved (ConfigError for a device that is not there).
DeviceChoice choose_device(const Config& config);

}  // namespace scorelab
