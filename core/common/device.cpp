#include "common/device.h"

#include <torch/cuda.h>

#include "common/error.h"

namespace scorelab {

torch::Device resolve_device(const std::string& name) {
  if (name == "auto") return torch::cuda::is_available() ? torch::Device("cuda:0") : torch::kCPU;
  if (name == "cpu") return torch::kCPU;
  if (name.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available()) {
      throw ConfigError("run.device = \"" + name +
                        "\": this libtorch has no CUDA or no GPU is visible; use cpu or auto");
    }
    try {
      torch::Device d(name);
      if (d.has_index() && d.index() >= static_cast<int>(torch::cuda::device_count())) {
        throw ConfigError("run.device = \"" + name + "\": only " +
                          std::to_string(torch::cuda::device_count()) + " CUDA device(s) present");
      }
      return d.has_index() ? d : torch::Device("cuda:0");
    } catch (const c10::Error&) {
      // fall through to the message below
    }
  }
  throw ConfigError("run.device = \"" + name + "\" is not one of auto, cpu, cuda, cuda:N");
}

std::string describe_device(const torch::Device& device) {
  return device.str();
}

}  // namespace scorelab
