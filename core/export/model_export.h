#pragma once
// The trained model out of scorelab: a checkpoint's networks as named float tensors with a
// metadata block (method, step, config, and per network its architecture and preconditioning),
// written as safetensors (the published format: 8-byte little-endian header length, a JSON
// header, raw little-endian data) or as a PyTorch state dict that torch.load opens.
#include <torch/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace scorelab {

struct Checkpoint;
struct Config;

struct ModelExport {
  std::vector<std::pair<std::string, torch::Tensor>> tensors;  // "network.parameter", CPU
  nlohmann::json metadata;
};

// ema: the EMA weights where a network keeps them (what sampling uses), else the raw ones.
ModelExport build_export(const Checkpoint& checkpoint, bool ema = true);

// How network `name` of a run with `config` computes, for someone rebuilding it elsewhere.
nlohmann::json describe_network(const std::string& name, const Config& config,
                                const std::vector<std::string>& parameters);

// The safetensors file's bytes; the metadata goes in "__metadata__" as {"scorelab": JSON text}
// (the format allows string values only).
std::string safetensors_bytes(const ModelExport& model);

// A dict {name: tensor, ..., "__metadata__": JSON text} in torch.save's zip format.
std::string pt_bytes(const ModelExport& model);

// Writes `format` ("safetensors" or "pt") to path atomically; throws IoError / ConfigError.
void write_export(const ModelExport& model, const std::string& format, const std::string& path);

}  // namespace scorelab
