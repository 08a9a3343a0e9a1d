#include "train/checkpoint.h"

#include <torch/torch.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/atomic_file.h"
#include "common/checksum.h"
#include "common/error.h"
#include "common/rng.h"
#include "config/config_io.h"
#include "methods/method.h"

namespace scorelab {

using nlohmann::json;

namespace {

const char kMagic[] = "SCORELAB-CKPT\n";
constexpr size_t kMagicLen = sizeof(kMagic) - 1;

std::string dtype_name(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat: return "float32";
    case torch::kDouble: return "float64";
    case torch::kUInt8: return "uint8";
    case torch::kLong: return "int64";
    default: throw CheckpointError("checkpoint: unsupported tensor type");
  }
}

torch::ScalarType dtype_from(const std::string& s, const std::string& path) {
  if (s == "float32") return torch::kFloat;
  if (s == "float64") return torch::kDouble;
  if (s == "uint8") return torch::kUInt8;
  if (s == "int64") return torch::kLong;
  throw CheckpointError(path + ": corrupt header: unknown tensor type '" + s + "'");
}

// Tensor table writer: appends contiguous CPU bytes and records where they went.
struct Blob {
  std::string bytes;
  json table = json::array();
  void add(const std::string& key, const torch::Tensor& t_in) {
    auto t = t_in.detach().to(torch::kCPU).contiguous();
    const size_t nbytes = t.numel() * t.element_size();
    table.push_back({{"key", key},
                     {"dtype", dtype_name(t.scalar_type())},
                     {"shape", t.sizes().vec()},
                     {"offset", bytes.size()},
                     {"nbytes", nbytes}});
    bytes.append(static_cast<const char*>(t.data_ptr()), nbytes);
  }
};

}  // namespace

Checkpoint capture_checkpoint(Method& method, const Config& config, int64_t step,
                              double train_seconds, const Rng& rng) {
  torch::NoGradGuard no_grad;
  Checkpoint c;
  c.config = config;
  c.method = method.name();
  c.step = step;
  c.train_seconds = train_seconds;
  c.rng_state = rng.state();
  for (TrainableNetwork* net : method.networks()) {
    c.networks.push_back(capture_network(*net, torch::kCPU));
  }
  return c;
}

void write_checkpoint(const Checkpoint& c, const std::string& path) {
  Blob blob;
  json nets = json::array();
  for (const auto& n : c.networks) {
    json params = json::array();
    for (const auto& p : n.params) params.push_back({{"name", p.first}, {"shape", p.second}});
    json buffers = json::array();
    for (const auto& b : n.buffers) {
      buffers.push_back(b.first);
      blob.add("net/" + n.name + "/buffer/" + b.first, b.second);
    }
    blob.add("net/" + n.name + "/params", n.flat);
    blob.add("net/" + n.name + "/exp_avg", n.exp_avg);
    blob.add("net/" + n.name + "/exp_avg_sq", n.exp_avg_sq);
    if (n.ema.defined()) blob.add("net/" + n.name + "/ema", n.ema);
    nets.push_back(
        {{"name", n.name}, {"updates", n.updates}, {"params", params}, {"buffers", buffers}});
  }
  if (c.rng_state.defined()) blob.add("rng/cpu", c.rng_state);
  json header = {{"format_version", c.format_version},
                 {"method", c.method},
                 {"step", c.step},
                 {"train_seconds", c.train_seconds},
                 {"libtorch", TORCH_VERSION},
                 {"config", to_json(c.config)},
                 {"networks", nets},
                 {"tensors", blob.table},
                 {"data_bytes", blob.bytes.size()},
                 {"data_fnv1a64", fnv1a64(blob.bytes.data(), blob.bytes.size())}};
  const std::string head = header.dump();
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(kMagic, kMagicLen);
    const uint64_t len = head.size();
    char len_bytes[8];
    for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<char>((len >> (8 * i)) & 0xff);
    out.write(len_bytes, 8);
    out.write(head.data(), head.size());
    out.write(blob.bytes.data(), blob.bytes.size());
  });
}

namespace {

// The header and where the tensor bytes start, after checking the magic and the lengths.
json read_header(const std::string& file, const std::string& path, size_t& data_start) {
  if (file.size() < kMagicLen + 8 || std::memcmp(file.data(), kMagic, kMagicLen) != 0) {
    throw CheckpointError(path + ": not a scorelab checkpoint (bad magic bytes)");
  }
  uint64_t len = 0;
  for (int i = 0; i < 8; ++i)
    len |= uint64_t(static_cast<unsigned char>(file[kMagicLen + i])) << (8 * i);
  const size_t head_start = kMagicLen + 8;
  if (len > file.size() - head_start) {
    throw CheckpointError(path + ": truncated: header of " + std::to_string(len) +
                          " bytes but only " + std::to_string(file.size() - head_start) +
                          " follow");
  }
  data_start = head_start + len;
  try {
    return json::parse(file.substr(head_start, len));
  } catch (const json::parse_error& e) {
    throw CheckpointError(path + ": corrupt header: " + e.what());
  }
}

// Every tensor of the table, after checking the version, the data's size and its checksum.
std::map<std::string, torch::Tensor> read_tensors(const json& h, const std::string& file,
                                                  size_t data_start, const std::string& path) {
  const int version = h.at("format_version").get<int>();
  if (version != kCheckpointFormatVersion) {
    throw CheckpointError(path + ": format version " + std::to_string(version) +
                          ", this build reads version " + std::to_string(kCheckpointFormatVersion));
  }
  const size_t data_bytes = h.at("data_bytes").get<size_t>();
  const size_t have = file.size() - data_start;
  if (have != data_bytes) {
    throw CheckpointError(path + ": " + (have < data_bytes ? "truncated" : "corrupt") + ": " +
                          std::to_string(data_bytes) + " bytes of tensor data expected, " +
                          std::to_string(have) + " found");
  }
  const char* data = file.data() + data_start;
  if (fnv1a64(data, data_bytes) != h.at("data_fnv1a64").get<uint64_t>()) {
    throw CheckpointError(path + ": corrupt: tensor data checksum mismatch");
  }
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& t : h.at("tensors")) {
    const auto shape = t.at("shape").get<std::vector<int64_t>>();
    const auto type = dtype_from(t.at("dtype").get<std::string>(), path);
    const size_t off = t.at("offset").get<size_t>(), nbytes = t.at("nbytes").get<size_t>();
    auto out = torch::empty(shape, torch::TensorOptions().dtype(type));
    if (off > data_bytes || nbytes > data_bytes - off ||
        nbytes != static_cast<size_t>(out.numel() * out.element_size())) {
      throw CheckpointError(path + ": corrupt header: tensor " + t.at("key").get<std::string>() +
                            " lies outside the data");
    }
    std::memcpy(out.data_ptr(), data + off, nbytes);
    tensors[t.at("key").get<std::string>()] = out;
  }
  return tensors;
}

NetworkState read_network(const json& n, const std::map<std::string, torch::Tensor>& tensors,
                          const std::string& path) {
  NetworkState net;
  net.name = n.at("name").get<std::string>();
  auto take = [&](const std::string& what) {
    auto it = tensors.find("net/" + net.name + "/" + what);
    if (it == tensors.end())
      throw CheckpointError(path + ": missing tensor net/" + net.name + "/" + what);
    return it->second;
  };
  net.updates = n.at("updates").get<int64_t>();
  for (const auto& p : n.at("params")) {
    net.params.emplace_back(p.at("name").get<std::string>(),
                            p.at("shape").get<std::vector<int64_t>>());
  }
  for (const auto& b : n.at("buffers")) {
    const auto name = b.get<std::string>();
    net.buffers[name] = take("buffer/" + name);
  }
  net.flat = take("params");
  net.exp_avg = take("exp_avg");
  net.exp_avg_sq = take("exp_avg_sq");
  if (tensors.count("net/" + net.name + "/ema")) net.ema = take("ema");
  return net;
}

}  // namespace

Checkpoint read_checkpoint(const std::string& path) {
  std::string file;
  try {
    file = read_file(path);
  } catch (const IoError& e) {
    throw CheckpointError(e.what());
  }
  size_t data_start = 0;
  const json h = read_header(file, path, data_start);
  Checkpoint c;
  try {
    const auto tensors = read_tensors(h, file, data_start, path);
    c.format_version = h.at("format_version").get<int>();
    c.config = merge_json(Config{}, h.at("config"), path + " (config)");
    c.method = h.at("method").get<std::string>();
    c.step = h.at("step").get<int64_t>();
    c.train_seconds = h.at("train_seconds").get<double>();
    for (const auto& n : h.at("networks")) c.networks.push_back(read_network(n, tensors, path));
    auto rng = tensors.find("rng/cpu");
    if (rng != tensors.end()) c.rng_state = rng->second;
  } catch (const json::exception& e) {
    throw CheckpointError(path + ": corrupt header: " + e.what());
  } catch (const ConfigError& e) {
    throw CheckpointError(e.what());
  }
  return c;
}

void restore_checkpoint(const Checkpoint& c, Method& method) {
  std::vector<std::string> problems;
  if (c.method != method.name()) {
    problems.push_back("the checkpoint holds method " + c.method + ", the run uses " +
                       method.name());
  }
  auto nets = method.networks();
  for (TrainableNetwork* net : nets) {
    const NetworkState* saved = nullptr;
    for (const auto& n : c.networks)
      if (n.name == net->name()) saved = &n;
    if (!saved) {
      problems.push_back("network " + net->name() + " is missing from the checkpoint");
      continue;
    }
    check_network_state(*saved, *net, problems);
  }
  throw_mismatch("checkpoint", problems);
  for (TrainableNetwork* net : nets) {
    for (const auto& n : c.networks)
      if (n.name == net->name()) copy_network_state(n, *net);
  }
}

}  // namespace scorelab
