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

std::string shape_str(const std::vector<int64_t>& s) {
  std::ostringstream ss;
  ss << "[";
  for (size_t i = 0; i < s.size(); ++i) ss << (i ? ", " : "") << s[i];
  ss << "]";
  return ss.str();
}

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
    CheckpointNetwork n;
    n.name = net->name();
    n.updates = net->updates();
    for (const auto& e : net->params().entries()) n.params.emplace_back(e.name, e.shape);
    n.flat = net->params().data().detach().to(torch::kCPU).clone();
    n.exp_avg = net->optimizer().exp_avg().to(torch::kCPU).clone();
    n.exp_avg_sq = net->optimizer().exp_avg_sq().to(torch::kCPU).clone();
    if (net->has_ema()) n.ema = net->ema()->data().to(torch::kCPU).clone();
    for (const auto& b : net->module().named_buffers(true)) {
      n.buffers[b.key()] = b.value().detach().to(torch::kCPU).clone();
    }
    c.networks.push_back(std::move(n));
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

Checkpoint read_checkpoint(const std::string& path) {
  std::string file;
  try {
    file = read_file(path);
  } catch (const IoError& e) {
    throw CheckpointError(e.what());
  }
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
  json h;
  try {
    h = json::parse(file.substr(head_start, len));
  } catch (const json::parse_error& e) {
    throw CheckpointError(path + ": corrupt header: " + e.what());
  }
  Checkpoint c;
  try {
    c.format_version = h.at("format_version").get<int>();
    if (c.format_version != kCheckpointFormatVersion) {
      throw CheckpointError(path + ": format version " + std::to_string(c.format_version) +
                            ", this build reads version " +
                            std::to_string(kCheckpointFormatVersion));
    }
    const size_t data_start = head_start + len;
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
    auto take = [&](const std::string& key) {
      auto it = tensors.find(key);
      if (it == tensors.end()) throw CheckpointError(path + ": missing tensor " + key);
      return it->second;
    };
    c.config = merge_json(Config{}, h.at("config"), path + " (config)");
    c.method = h.at("method").get<std::string>();
    c.step = h.at("step").get<int64_t>();
    c.train_seconds = h.at("train_seconds").get<double>();
    for (const auto& n : h.at("networks")) {
      CheckpointNetwork net;
      net.name = n.at("name").get<std::string>();
      net.updates = n.at("updates").get<int64_t>();
      for (const auto& p : n.at("params")) {
        net.params.emplace_back(p.at("name").get<std::string>(),
                                p.at("shape").get<std::vector<int64_t>>());
      }
      for (const auto& b : n.at("buffers")) {
        const auto name = b.get<std::string>();
        net.buffers[name] = take("net/" + net.name + "/buffer/" + name);
      }
      net.flat = take("net/" + net.name + "/params");
      net.exp_avg = take("net/" + net.name + "/exp_avg");
      net.exp_avg_sq = take("net/" + net.name + "/exp_avg_sq");
      if (tensors.count("net/" + net.name + "/ema")) net.ema = take("net/" + net.name + "/ema");
      c.networks.push_back(std::move(net));
    }
    if (tensors.count("rng/cpu")) c.rng_state = tensors["rng/cpu"];
  } catch (const json::exception& e) {
    throw CheckpointError(path + ": corrupt header: " + e.what());
  } catch (const ConfigError& e) {
    throw CheckpointError(e.what());
  }
  return c;
}

namespace {

// Appends to `problems` every way `saved` does not fit `net` (names, shapes, sizes, buffers).
void check_network(const CheckpointNetwork& saved, TrainableNetwork& net,
                   std::vector<std::string>& problems) {
  const auto& entries = net.params().entries();
  if (saved.params.size() != entries.size()) {
    problems.push_back("network " + net.name() + " has " + std::to_string(entries.size()) +
                       " parameter tensors, the checkpoint " + std::to_string(saved.params.size()));
  }
  for (size_t i = 0; i < std::min(entries.size(), saved.params.size()); ++i) {
    if (entries[i].name != saved.params[i].first || entries[i].shape != saved.params[i].second) {
      problems.push_back("network " + net.name() + ": parameter " + saved.params[i].first + " " +
                         shape_str(saved.params[i].second) + " in the checkpoint, " +
                         entries[i].name + " " + shape_str(entries[i].shape) + " in the model");
    }
  }
  const int64_t n = net.params().numel();
  if (saved.flat.numel() != n || saved.exp_avg.numel() != n || saved.exp_avg_sq.numel() != n ||
      (saved.ema.defined() && saved.ema.numel() != n)) {
    problems.push_back("network " + net.name() + ": " + std::to_string(saved.flat.numel()) +
                       " parameter values in the checkpoint, " + std::to_string(n) +
                       " in the model");
  }
  for (const auto& b : net.module().named_buffers(true)) {
    auto it = saved.buffers.find(b.key());
    if (it == saved.buffers.end()) {
      problems.push_back("network " + net.name() + ": buffer " + b.key() + " is missing");
    } else if (it->second.sizes() != b.value().sizes()) {
      problems.push_back("network " + net.name() + ": buffer " + b.key() + " " +
                         shape_str(it->second.sizes().vec()) + " in the checkpoint, " +
                         shape_str(b.value().sizes().vec()) + " in the model");
    }
  }
}

void copy_network(const CheckpointNetwork& saved, TrainableNetwork& net) {
  torch::NoGradGuard no_grad;
  net.params().data().copy_(saved.flat);
  net.optimizer().exp_avg().copy_(saved.exp_avg);
  net.optimizer().exp_avg_sq().copy_(saved.exp_avg_sq);
  net.optimizer().set_steps(saved.updates);
  if (net.has_ema()) net.ema()->data().copy_(saved.ema.defined() ? saved.ema : saved.flat);
  for (auto& b : net.module().named_buffers(true)) b.value().copy_(saved.buffers.at(b.key()));
}

void throw_problems(const std::string& what, const std::vector<std::string>& problems) {
  if (problems.empty()) return;
  std::string msg = what + " does not match the model:";
  for (const auto& p : problems) msg += "\n  - " + p;
  throw CheckpointError(msg);
}

}  // namespace

void restore_network(const CheckpointNetwork& saved, TrainableNetwork& net,
                     const std::string& what) {
  std::vector<std::string> problems;
  check_network(saved, net, problems);
  throw_problems(what, problems);
  copy_network(saved, net);
}

void restore_checkpoint(const Checkpoint& c, Method& method) {
  std::vector<std::string> problems;
  if (c.method != method.name()) {
    problems.push_back("the checkpoint holds method " + c.method + ", the run uses " +
                       method.name());
  }
  auto nets = method.networks();
  for (TrainableNetwork* net : nets) {
    const CheckpointNetwork* saved = nullptr;
    for (const auto& n : c.networks)
      if (n.name == net->name()) saved = &n;
    if (!saved) {
      problems.push_back("network " + net->name() + " is missing from the checkpoint");
      continue;
    }
    check_network(*saved, *net, problems);
  }
  throw_problems("checkpoint", problems);
  for (TrainableNetwork* net : nets) {
    for (const auto& n : c.networks)
      if (n.name == net->name()) copy_network(n, *net);
  }
}

}  // namespace scorelab
