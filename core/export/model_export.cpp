#include "export/model_export.h"

#include <torch/serialize.h>
#include <torch/torch.h>

#include <algorithm>

#include "common/atomic_file.h"
#include "common/error.h"
#include "data/data_sources.h"
#include "settings/settings.h"
#include "train/checkpoint.h"

namespace scorelab {

using json = nlohmann::json;

namespace {

bool any_contains(const std::vector<std::string>& names, const std::string& part) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

json edm_preconditioning(double sigma_data) {
  return {{"sigma_data", sigma_data},
          {"c_in", "1 / sqrt(sigma^2 + sigma_data^2)"},
          {"c_skip", "sigma_data^2 / (sigma^2 + sigma_data^2)"},
          {"c_out", "sigma * sigma_data / sqrt(sigma^2 + sigma_data^2)"},
          {"c_noise", "ln(sigma) / 4"},
          {"denoiser", "D(x; sigma) = c_skip * x + c_out * F(c_in * x, c_noise)"},
          {"score", "(D(x; sigma) - x) / sigma^2"}};
}

json fourier(const ModelConfig& m) {
  return {{"features", m.fourier_features},
          {"sigma_scale", m.sigma_fourier_scale},
          {"alpha_scale", m.alpha_fourier_scale},
          {"embedding",
           "emb(u) = [cos(u * freqs), sin(u * freqs)], freqs the buffer of the "
           "embedding (2 pi scale already in it)"}};
}

json unet(const ModelConfig& m) {
  return {{"base", m.unet_base},
          {"levels", m.unet_levels},
          {"blocks", m.unet_blocks},
          {"attention", m.unet_attention}};
}

const char* dtype_name(torch::Dtype t) {
  switch (t) {
    case torch::kFloat: return "F32";
    case torch::kDouble: return "F64";
    case torch::kHalf: return "F16";
    case torch::kBFloat16: return "BF16";
    case torch::kInt64: return "I64";
    case torch::kInt32: return "I32";
    case torch::kUInt8: return "U8";
    case torch::kBool: return "BOOL";
    default: throw IoError("export: a tensor of an unsupported dtype");
  }
}

}  // namespace

json describe_network(const std::string& name, const Config& config,
                      const std::vector<std::string>& parameters) {
  const ModelConfig& m = config.model;
  const bool image = is_image_data(config.data.name);
  json d;
  if (name == "gen") {
    std::string kind = m.generator == "auto" ? (image ? "conv" : "mlp") : m.generator;
    d["role"] = "one-step generator x = g(z), z ~ N(0, I)";
    d["z_dim"] = m.z_dim;
    if (kind == "mlp") {
      d["architecture"] = "mlp";
      d["hidden"] = m.gen_hidden;
      d["hidden_layers"] = m.gen_layers;
      d["activation"] = "leaky_relu";
      d["negative_slope"] = m.gen_leak;
      d["computes"] =
          "h = z; h = leaky_relu(layerK(h)) for K = 0 .. hidden_layers - 1; x = "
          "layerL(h), L = hidden_layers (layerK(h) = h W^T + b)";
    } else if (kind == "denoiser") {
      d["architecture"] = "edm_score_mlp as a generator: x = D(sigma_max * z; sigma_max)";
      d["hidden"] = m.gen_hidden;
      d["hidden_layers"] = m.gen_layers;
      d["sigma_max"] = config.noise.sigma_max;
      d["preconditioning"] = edm_preconditioning(m.sigma_data);
      d["fourier"] = fourier(m);
    } else if (kind == "unet") {
      d["architecture"] = "edm_unet as a generator: x = D(sigma_max * z; sigma_max)";
      d["unet"] = unet(m);
      d["sigma_max"] = config.noise.sigma_max;
      d["preconditioning"] = edm_preconditioning(m.sigma_data);
    } else {
      d["architecture"] = "conv (scorelab's GeneratorConv)";
      d["width"] = m.gen_width;
    }
  } else if (name == "disc") {
    d["role"] = "discriminator logit l(x[, sigma])";
    d["architecture"] = image ? "unet_discriminator" : "mlp";
    if (!image) {
      d["hidden"] = m.disc_hidden;
      d["hidden_layers"] = m.disc_layers;
      d["activation"] = "leaky_relu";
    }
  } else {
    d["role"] = name == "teacher" ? "teacher score model (SMD)"
                                  : "score model s(x; sigma[, alpha]) = (D - x) / sigma^2";
    d["alpha_conditioned"] = any_contains(parameters, "alpha");
    if (image) {
      d["architecture"] = "edm_unet";
      d["unet"] = unet(m);
    } else {
      d["architecture"] = "edm_score_mlp";
      d["hidden"] = m.hidden;
      d["hidden_layers"] = m.layers;
      d["activation"] = "silu";
      d["fourier"] = fourier(m);
      d["computes"] =
          "c = sigma_proj(sigma_embed(c_noise)) [+ alpha_proj(alpha_embed(alpha - 1/2))]; h = "
          "silu(input(c_in * x) + silu(c)); h = silu(hiddenK(h)) for K = 1 .. hidden_layers - 1; "
          "F = output(h)";
    }
    d["preconditioning"] = edm_preconditioning(m.sigma_data);
  }
  d["parameters"] = parameters;
  return d;
}

ModelExport build_export(const Checkpoint& ck, bool ema) {
  ModelExport out;
  json nets = json::object();
  for (const auto& n : ck.networks) {
    const bool use_ema = ema && n.ema.defined();
    const torch::Tensor& flat = use_ema ? n.ema : n.flat;
    std::vector<std::string> names;
    int64_t offset = 0;
    for (const auto& [pname, shape] : n.params) {
      int64_t numel = 1;
      for (int64_t s : shape) numel *= s;
      if (offset + numel > flat.numel()) {
        throw CheckpointError("export: network " + n.name + " holds fewer values than its " +
                              "parameters' shapes need");
      }
      out.tensors.emplace_back(n.name + "." + pname,
                               flat.narrow(0, offset, numel).view(shape).to(torch::kCPU).clone());
      names.push_back(pname);
      offset += numel;
    }
    for (const auto& [bname, value] : n.buffers) {
      out.tensors.emplace_back(n.name + "." + bname, value.to(torch::kCPU).contiguous());
      names.push_back(bname);
    }
    json d = describe_network(n.name, ck.config, names);
    d["weights"] = use_ema ? "ema" : "raw";
    d["updates"] = n.updates;
    nets[n.name] = d;
  }
  out.metadata = {{"format", "scorelab-export"},
                  {"version", 1},
                  {"method", ck.method},
                  {"step", ck.step},
                  {"networks", nets},
                  {"config", to_json(ck.config)}};
  return out;
}

std::string safetensors_bytes(const ModelExport& model) {
  json header = json::object();
  header["__metadata__"] = {{"scorelab", model.metadata.dump()}};
  std::string data;
  for (const auto& [name, t] : model.tensors) {
    auto c = t.contiguous();
    // The format is little-endian; so is every machine libtorch runs on.
    const size_t nbytes = static_cast<size_t>(c.numel()) * c.element_size();
    header[name] = {{"dtype", dtype_name(c.scalar_type())},
                    {"shape", c.sizes().vec()},
                    {"data_offsets", {data.size(), data.size() + nbytes}}};
    data.append(static_cast<const char*>(c.data_ptr()), nbytes);
  }
  std::string head = header.dump();
  head.append((8 - head.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  std::string out(8, '\0');
  const uint64_t n = head.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + head + data;
}

std::string pt_bytes(const ModelExport& model) {
  c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
  for (const auto& [name, t] : model.tensors) dict.insert(name, t.contiguous());
  dict.insert("__metadata__", model.metadata.dump());
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  return std::string(bytes.begin(), bytes.end());
}

void write_export(const ModelExport& model, const std::string& format, const std::string& path) {
  if (format == "safetensors") {
    write_file_atomically(path, safetensors_bytes(model));
  } else if (format == "pt") {
    write_file_atomically(path, pt_bytes(model));
  } else {
    throw ConfigError("export --format " + format + ": expected safetensors or pt");
  }
}

}  // namespace scorelab
