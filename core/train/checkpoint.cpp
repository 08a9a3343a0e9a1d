#include "train/checkpoint.h"

#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/atomic_file.h"
#include "common/checksum.h"
#include "common/error.h"
#include "common/rng.h"
#include "common/strict_json.h"
#include "methods/method.h"
#include "settings/settings.h"

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

std::string le64(uint64_t v) {
  std::string b(8, '\0');
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return b;
}

uint64_t read_le64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

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
                 {"data_bytes", blob.bytes.size()}};
  const std::string head = header.dump();
  std::string front(kMagic, kMagicLen);
  front += le64(head.size());
  front += head;
  // The checksum runs over every byte before it, header included: a changed setting is as
  // corrupt as a changed weight.
  uint64_t sum = fnv1a64(front.data(), front.size());
  sum = fnv1a64_continue(sum, blob.bytes.data(), blob.bytes.size());
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(front.data(), static_cast<std::streamsize>(front.size()));
    out.write(blob.bytes.data(), static_cast<std::streamsize>(blob.bytes.size()));
    const std::string trailer = le64(sum);
    out.write(trailer.data(), 8);
  });
}

namespace {

constexpr size_t kTrailerLen = 8;

// The header and where the tensor bytes start, after checking the magic and the lengths.
json read_header(const std::string& file, const std::string& path, size_t& data_start) {
  if (file.size() < kMagicLen + 8 || std::memcmp(file.data(), kMagic, kMagicLen) != 0) {
    throw CheckpointError(path + ": not a scorelab checkpoint (bad magic bytes)");
  }
  const uint64_t len = read_le64(file.data() + kMagicLen);
  const size_t head_start = kMagicLen + 8;
  if (len > file.size() - head_start) {
    throw CheckpointError(path + ": truncated: header of " + std::to_string(len) +
                          " bytes but only " + std::to_string(file.size() - head_start) +
                          " follow");
  }
  data_start = head_start + len;
  try {
    // Duplicate keys would let a second "step" hide behind the first: refused.
    return parse_json_strict(file.substr(head_start, len));
  } catch (const std::exception& e) {
    throw CheckpointError(path + ": corrupt header: " + e.what());
  }
}

// The version, then (in a file of this version) the checksum over everything before the
// trailer and the data's size.
void check_whole_file(const json& h, const std::string& file, size_t data_start,
                      const std::string& path) {
  const int version = h.at("format_version").get<int>();
  if (version != kCheckpointFormatVersion) {
    throw CheckpointError(path + ": format version " + std::to_string(version) +
                          ", this build reads version " + std::to_string(kCheckpointFormatVersion));
  }
  // Sizes first (a cut file says "truncated"), then the checksum over everything before it.
  const uint64_t data_bytes = h.at("data_bytes").get<uint64_t>();
  const uint64_t have = file.size() - data_start;
  if (data_bytes > have || have - data_bytes != kTrailerLen) {
    const bool cut = data_bytes > have || have - data_bytes < kTrailerLen;
    throw CheckpointError(path + ": " + (cut ? "truncated" : "corrupt") + ": " +
                          std::to_string(data_bytes) + " bytes of tensor data and an " +
                          std::to_string(kTrailerLen) + "-byte checksum expected, " +
                          std::to_string(have) + " bytes found");
  }
  const size_t end = file.size() - kTrailerLen;
  if (fnv1a64(file.data(), end) != read_le64(file.data() + end)) {
    throw CheckpointError(path + ": corrupt: checksum mismatch (the file was changed or damaged)");
  }
}

// A table entry's element count from its shape, refusing negative sizes and any count whose
// bytes would not fit in the data (before anything is allocated).
int64_t checked_numel(const std::vector<int64_t>& shape, size_t element_size, size_t data_bytes,
                      const std::string& where) {
  uint64_t numel = 1;
  const uint64_t max_numel = data_bytes / element_size;
  for (const int64_t d : shape) {
    if (d < 0) throw CheckpointError(where + " has a negative size " + std::to_string(d));
    if (d != 0 && numel > max_numel / static_cast<uint64_t>(d)) {
      throw CheckpointError(where + " claims more elements than the file's " +
                            std::to_string(data_bytes) + " bytes of tensor data hold");
    }
    numel *= static_cast<uint64_t>(d);
  }
  return static_cast<int64_t>(numel);
}

// Every tensor of the table; each must lie inside the data, none overlapping another.
std::map<std::string, torch::Tensor> read_tensors(const json& h, const std::string& file,
                                                  size_t data_start, const std::string& path) {
  const uint64_t data_bytes = h.at("data_bytes").get<uint64_t>();
  const char* data = file.data() + data_start;
  std::map<std::string, torch::Tensor> tensors;
  std::map<uint64_t, std::pair<uint64_t, std::string>> spans;  // offset -> (end, key)
  uint64_t claimed = 0;
  for (const auto& t : h.at("tensors")) {
    const auto key = t.at("key").get<std::string>();
    const std::string where = path + ": corrupt header: tensor " + key;
    if (tensors.count(key)) throw CheckpointError(where + " appears twice");
    const auto shape = t.at("shape").get<std::vector<int64_t>>();
    const auto type = dtype_from(t.at("dtype").get<std::string>(), path);
    const size_t elem = torch::elementSize(type);
    const uint64_t off = t.at("offset").get<uint64_t>(), nbytes = t.at("nbytes").get<uint64_t>();
    const int64_t numel = checked_numel(shape, elem, data_bytes, where);
    if (off > data_bytes || nbytes > data_bytes - off ||
        nbytes != static_cast<uint64_t>(numel) * elem) {
      throw CheckpointError(where + " lies outside the data");
    }
    if (nbytes > 0) {
      auto next = spans.lower_bound(off);
      if ((next != spans.end() && next->first < off + nbytes) ||
          (next != spans.begin() && std::prev(next)->second.first > off)) {
        throw CheckpointError(where + " overlaps another tensor's bytes");
      }
      spans[off] = {off + nbytes, key};
    }
    auto out = torch::empty(shape, torch::TensorOptions().dtype(type));
    if (nbytes > 0) std::memcpy(out.data_ptr(), data + off, nbytes);
    tensors[key] = out;
    claimed += nbytes;
  }
  if (claimed != data_bytes) {
    // Inside the data and not overlapping, so less: bytes no entry describes.
    throw CheckpointError(path + ": corrupt header: the tensor table accounts for " +
                          std::to_string(claimed) + " of the data's " + std::to_string(data_bytes) +
                          " bytes");
  }
  return tensors;
}

// Takes the network's tensors out of `tensors` (what is left afterwards belongs to nothing).
NetworkState read_network(const json& n, std::map<std::string, torch::Tensor>& tensors,
                          const std::string& path) {
  NetworkState net;
  net.name = n.at("name").get<std::string>();
  auto take = [&](const std::string& what) {
    auto it = tensors.find("net/" + net.name + "/" + what);
    if (it == tensors.end())
      throw CheckpointError(path + ": missing tensor net/" + net.name + "/" + what);
    auto t = it->second;
    tensors.erase(it);
    return t;
  };
  net.updates = n.at("updates").get<int64_t>();
  if (net.updates < 0) {
    throw CheckpointError(path + ": corrupt header: network " + net.name + " has " +
                          std::to_string(net.updates) + " updates");
  }
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
  return parse_checkpoint(file, path);
}

Checkpoint parse_checkpoint(const std::string& file, const std::string& path) {
  size_t data_start = 0;
  const json h = read_header(file, path, data_start);
  Checkpoint c;
  try {
    check_whole_file(h, file, data_start, path);
    auto tensors = read_tensors(h, file, data_start, path);
    c.format_version = h.at("format_version").get<int>();
    c.config = merge_json(Config{}, h.at("config"), path + " (config)");
    c.method = h.at("method").get<std::string>();
    c.step = h.at("step").get<int64_t>();
    c.train_seconds = h.at("train_seconds").get<double>();
    if (c.step < 0 || !(c.train_seconds >= 0) || !std::isfinite(c.train_seconds)) {
      throw CheckpointError(path + ": corrupt header: step " + std::to_string(c.step) + " after " +
                            std::to_string(c.train_seconds) + " s of training");
    }
    for (const auto& n : h.at("networks")) c.networks.push_back(read_network(n, tensors, path));
    if (c.networks.empty()) throw CheckpointError(path + ": corrupt header: no networks");
    auto rng = tensors.find("rng/cpu");
    if (rng != tensors.end()) {
      c.rng_state = rng->second;
      tensors.erase(rng);
    }
    if (!tensors.empty()) {
      throw CheckpointError(path + ": corrupt header: tensor " + tensors.begin()->first +
                            " belongs to no network");
    }
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
    if (net->has_ema() && !saved->ema.defined()) {
      problems.push_back("network " + net->name() + ": its EMA weights are missing");
    }
  }
  throw_mismatch("checkpoint", problems);
  for (TrainableNetwork* net : nets) {
    for (const auto& n : c.networks)
      if (n.name == net->name()) copy_network_state(n, *net);
  }
}

}  // namespace scorelab
