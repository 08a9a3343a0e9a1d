// Exported models: the safetensors file read back by a parser written here from the format's
// published description (not the writer's code), the PyTorch dict read back by libtorch, and the
// generator rebuilt from the exported weights and metadata alone.
#include <gtest/gtest.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "common/atomic_file.h"
#include "common/rng.h"
#include "export/model_export.h"
#include "methods/method.h"
#include "optim/trainable_network.h"
#include "settings/presets.h"
#include "settings/settings.h"
#include "temp_dir.h"
#include "train/checkpoint.h"
#include "train/run_parts.h"

using namespace scorelab;
using json = nlohmann::json;

namespace {

struct Parsed {
  json header;
  std::map<std::string, torch::Tensor> tensors;
  std::string problem;  // "" when the file follows the format
};

// safetensors: u64 little-endian N, N bytes of JSON (an object; "__metadata__" maps strings to
// strings; every other key is a tensor {dtype, shape, data_offsets [begin, end)} relative to the
// byte buffer that follows), then the buffer, every byte of it covered by exactly one tensor.
Parsed parse_safetensors(const std::string& bytes) {
  Parsed p;
  if (bytes.size() < 8) return p.problem = "shorter than the length field", p;
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  if (8 + n > bytes.size()) return p.problem = "header runs past the file", p;
  const std::string head = bytes.substr(8, n);
  if (head.empty() || head[0] != '{') return p.problem = "header does not start with {", p;
  p.header = json::parse(head);
  const size_t buffer_at = 8 + n, buffer_size = bytes.size() - buffer_at;
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  for (const auto& [key, v] : p.header.items()) {
    if (key == "__metadata__") {
      for (const auto& [mk, mv] : v.items())
        if (!mv.is_string()) return p.problem = "metadata value " + mk + " is not a string", p;
      continue;
    }
    if (v.at("dtype") != "F32") return p.problem = key + ": dtype is not F32", p;
    std::vector<int64_t> shape = v.at("shape").get<std::vector<int64_t>>();
    const uint64_t b = v.at("data_offsets")[0], e = v.at("data_offsets")[1];
    int64_t numel = 1;
    for (int64_t s : shape) numel *= s;
    if (e < b || e > buffer_size || e - b != static_cast<uint64_t>(numel) * 4) {
      return p.problem = key + ": offsets do not fit its shape", p;
    }
    auto t = torch::empty(shape, torch::kFloat);
    std::memcpy(t.data_ptr<float>(), bytes.data() + buffer_at + b, e - b);
    p.tensors[key] = t;
    spans.emplace_back(b, e);
  }
  std::sort(spans.begin(), spans.end());
  uint64_t at = 0;
  for (const auto& [b, e] : spans) {
    if (b != at) return p.problem = "the buffer has a gap or an overlap", p;
    at = e;
  }
  if (at != buffer_size) return p.problem = "the buffer has bytes no tensor covers", p;
  return p;
}

struct Trained {
  RunParts run;
  Checkpoint ck;
};

Trained trained_smt(int steps) {
  Config c = apply_settings(load_preset("swissroll-smt"),
                            {"model.hidden=32", "model.gen_hidden=24", "optim.batch=64"});
  Trained t{build_run(c), {}};
  std::vector<torch::Tensor> losses;
  for (int i = 0; i < steps; ++i) t.run.method->step(losses);
  Config resolved = t.run.config;  // as the Trainer saves it: σ_data as measured
  resolved.model.sigma_data = t.run.sigma_data;
  t.ck = capture_checkpoint(*t.run.method, resolved, steps, 0, *t.run.rng);
  return t;
}

}  // namespace

TEST(Export, SafetensorsFollowTheFormatAndHoldTheNetworksWeights) {
  Trained t = trained_smt(3);
  const ModelExport raw = build_export(t.ck, false);
  const Parsed p = parse_safetensors(safetensors_bytes(raw));
  ASSERT_EQ(p.problem, "");
  // Every parameter and buffer of every network, by its module's own names and values.
  size_t expected = 0;
  for (TrainableNetwork* net : t.run.method->networks()) {
    for (const auto& item : net->module().named_parameters()) {
      const std::string key = net->name() + "." + item.key();
      ASSERT_TRUE(p.tensors.count(key)) << key;
      EXPECT_TRUE(p.tensors.at(key).equal(item.value().detach().cpu())) << key;
      ++expected;
    }
    for (const auto& item : net->module().named_buffers()) {
      const std::string key = net->name() + "." + item.key();
      ASSERT_TRUE(p.tensors.count(key)) << key;
      EXPECT_TRUE(p.tensors.at(key).equal(item.value().cpu())) << key;
      ++expected;
    }
  }
  EXPECT_EQ(p.tensors.size(), expected);
  const json meta = json::parse(p.header.at("__metadata__").at("scorelab").get<std::string>());
  EXPECT_EQ(meta.at("method"), "smt");
  EXPECT_EQ(meta.at("step"), 3);
  EXPECT_EQ(meta.at("networks").at("gen").at("architecture"), "mlp");
  EXPECT_EQ(meta.at("networks").at("gen").at("weights"), "raw");
  EXPECT_EQ(meta.at("networks").at("score").at("architecture"), "edm_score_mlp");
  EXPECT_EQ(meta.at("networks").at("score").at("alpha_conditioned"), true);
  EXPECT_GT(meta.at("networks").at("score").at("preconditioning").at("sigma_data").get<double>(),
            0);
  EXPECT_EQ(meta.at("config").at("model").at("hidden"), 32);
}

TEST(Export, TheGeneratorRebuiltFromTheExportSamplesAsScorelabDoes) {
  Trained t = trained_smt(4);
  const Parsed p = parse_safetensors(safetensors_bytes(build_export(t.ck, true)));
  ASSERT_EQ(p.problem, "");
  const json meta = json::parse(p.header.at("__metadata__").at("scorelab").get<std::string>());
  const json gen = meta.at("networks").at("gen");
  EXPECT_EQ(gen.at("weights"), "ema");
  // The recipe of the metadata: leaky ReLU after every layer but the last.
  const int64_t n = 50, layers = gen.at("hidden_layers");
  auto z = Rng(7, torch::kCPU).randn({n, gen.at("z_dim").get<int64_t>()});
  auto h = z;
  for (int64_t k = 0; k <= layers; ++k) {
    const std::string l = "gen.layer" + std::to_string(k);
    h = torch::addmm(p.tensors.at(l + ".bias"), h, p.tensors.at(l + ".weight").t());
    if (k < layers) h = torch::leaky_relu(h, gen.at("negative_slope").get<double>());
  }
  auto x = t.run.method->generate(n, Rng(7, torch::kCPU));
  EXPECT_TRUE(torch::allclose(h, x, 1e-5, 1e-5)) << (h - x).abs().max().item<float>();
  // The EMA weights are not the raw ones after training steps.
  const Parsed r = parse_safetensors(safetensors_bytes(build_export(t.ck, false)));
  EXPECT_FALSE(r.tensors.at("gen.layer0.weight").equal(p.tensors.at("gen.layer0.weight")));
}

TEST(Export, PtIsADictOfTheSameTensorsWithTheMetadata) {
  Trained t = trained_smt(1);
  const ModelExport m = build_export(t.ck, true);
  const std::string bytes = pt_bytes(m);
  const c10::IValue v = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  ASSERT_TRUE(v.isGenericDict());
  const auto dict = v.toGenericDict();
  EXPECT_EQ(dict.size(), m.tensors.size() + 1);
  for (const auto& [name, tensor] : m.tensors) {
    ASSERT_TRUE(dict.contains(name)) << name;
    EXPECT_TRUE(dict.at(name).toTensor().equal(tensor)) << name;
  }
  EXPECT_EQ(json::parse(dict.at("__metadata__").toStringRef()), m.metadata);
}

TEST(Export, CliWritesBothFormatsAndNamesAMissingCheckpoint) {
  scorelab::testing::TempDir dir("export-cli");
  const std::string run = dir.file("run");
  auto r = scorelab::testing::run_cli("train --preset swissroll-smt --steps 20 --out " + run +
                                      " --set run.eval_every=0");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* format : {"safetensors", "pt"}) {
    const std::string out = dir.file(std::string("m.") + format);
    r = scorelab::testing::run_cli("export --checkpoint " + run + "/checkpoint.ckpt --format " +
                                   format + " --out " + out);
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("wrote " + out + ": "), std::string::npos) << r.out;
  }
  const Parsed p = parse_safetensors(read_file(dir.file("m.safetensors")));
  ASSERT_EQ(p.problem, "");
  // The trainer records σ_data as measured (the preset leaves it at 0).
  const json meta = json::parse(p.header.at("__metadata__").at("scorelab").get<std::string>());
  EXPECT_GT(meta.at("networks").at("score").at("preconditioning").at("sigma_data").get<double>(),
            0.1);
  r = scorelab::testing::run_cli("export --checkpoint " + dir.file("nope.ckpt") + " --out " +
                                 dir.file("x.pt") + " --format pt");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("nope.ckpt"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.pt")));
}
