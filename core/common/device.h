#pragma once
// Run-time device choice: "auto" picks CUDA when this libtorch has it and a GPU is present.
#include <torch/types.h>

#include <string>

namespace scorelab {

// Resolves "auto" | "cpu" | "cuda" | "cuda:N"; throws ConfigError when CUDA is asked but absent.
torch::Device resolve_device(const std::string& name);

// "cpu", or "cuda:0 (NVIDIA H100 ...)" where the name is known.
std::string describe_device(const torch::Device& device);

}  // namespace scorelab
