// `scorelab-cli export`: a checkpoint's networks as safetensors or a PyTorch state dict, with
// the metadata needed to rebuild them elsewhere.
#include <cstdio>

#include "cli/commands.h"
#include "cli/latest_checkpoint.h"
#include "export/model_export.h"
#include "train/checkpoint.h"

namespace scorelab::cli {

namespace {
struct ExportOptions {
  std::string checkpoint, format = "safetensors", out, weights = "ema";
};
}  // namespace

Runner add_export_command(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  auto* sub = app.add_subcommand(
      "export", "Write a checkpoint's networks as safetensors or a PyTorch state dict");
  sub->add_option("--checkpoint", o->checkpoint,
                  "checkpoint file (default: the newest runs/*/checkpoint.ckpt)");
  sub->add_option("--format", o->format, "safetensors (default) | pt")
      ->check(CLI::IsMember({"safetensors", "pt"}));
  sub->add_option("--out", o->out, "output file (default: model.safetensors / model.pt)");
  sub->add_option("--weights", o->weights,
                  "ema (default: the averaged weights sampling uses, where kept) | raw")
      ->check(CLI::IsMember({"ema", "raw"}));
  return [o]() -> int {
    const std::string ck_path = o->checkpoint.empty() ? latest_checkpoint() : o->checkpoint;
    const std::string out = o->out.empty() ? "model." + o->format : o->out;
    const Checkpoint ck = read_checkpoint(ck_path);
    const ModelExport model = build_export(ck, o->weights == "ema");
    write_export(model, o->format, out);
    int64_t values = 0;
    for (const auto& t : model.tensors) values += t.second.numel();
    std::printf("wrote %s: %zu tensors (%lld values) of %zu networks (%s, step %lld) from %s\n",
                out.c_str(), model.tensors.size(), static_cast<long long>(values),
                ck.networks.size(), ck.method.c_str(), static_cast<long long>(ck.step),
                ck_path.c_str());
    return 0;
  };
}

}  // namespace scorelab::cli
