#include "bench_commands.h"

#include <ATen/Context.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "allreduce_bench.h"
#include "claims.h"
#include "image_bench.h"
#include "quality_table.h"
#include "smt_speed.h"
#include "sync_check.h"

namespace scorelab::bench {

namespace {

// --device: auto, cpu, cuda or cuda:N (as run.device).
CLI::Option* add_device(CLI::App& cmd, std::string& device) {
  const CLI::Validator device_name(
      [](std::string& d) -> std::string {
        const bool ok = d == "auto" || d == "cpu" || d == "cuda" ||
                        (d.rfind("cuda:", 0) == 0 && d.size() > 5 &&
                         d.find_first_not_of("0123456789", 5) == std::string::npos);
        return ok ? "" : "\"" + d + "\" is not one of auto, cpu, cuda, cuda:N";
      },
      "DEVICE");
  return cmd.add_option("--device", device, "auto, cpu, cuda or cuda:N")
      ->check(device_name)
      ->capture_default_str();
}

CLI::Option* add_seconds(CLI::App& cmd, double& seconds, const char* what) {
  return cmd.add_option("--seconds", seconds, what)->check(CLI::PositiveNumber);
}

void add_precision(CLI::App& cmd, std::string& precision) {
  cmd.add_option("--precision", precision, "fp32, or bf16 (CUDA autocast)")
      ->check(CLI::IsMember({"fp32", "bf16"}))
      ->capture_default_str();
}

void add_cuda_graph(CLI::App& cmd, std::string& mode) {
  cmd.add_option("--cuda-graph", mode, "run.cuda_graph for the training steps")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
}

void add_presets(CLI::App& cmd, std::vector<std::string>& presets) {
  cmd.add_option("--presets", presets, "comma-separated presets")
      ->delimiter(',')
      ->capture_default_str();
}

}  // namespace

Command add_speed_options(CLI::App& app) {
  struct Args {
    std::string device = "cpu";
    double seconds = 3;
  };
  auto a = std::make_shared<Args>();
  add_device(app, a->device);
  add_seconds(app, a->seconds, "seconds per figure")->capture_default_str();
  return [a] { return print_speed_table(a->device, a->seconds); };
}

Command add_quality_command(CLI::App& app) {
  auto q = std::make_shared<QualityOptions>();
  q->presets = default_quality_presets();
  auto* cmd = app.add_subcommand(
      "quality", "sample quality of the one-step presets after a short and a long run");
  cmd->add_option("--short", q->short_seconds, "training seconds before the first evaluation")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--long", q->long_seconds, "training seconds before the second")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_presets(*cmd, q->presets);
  add_device(*cmd, q->device);
  return [q] {
    if (q->long_seconds < q->short_seconds) {
      throw CLI::ValidationError("--long", "must not be below --short");
    }
    print_quality_table(*q);
    return 0;
  };
}

Command add_smt_command(CLI::App& app) {
  struct Args {
    int64_t width = 128;
    int threads = 1;
    double seconds = 3;
    std::string device = "cpu", cuda_graph = "auto";
    bool reference = false, phases = false;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("smt", "one SMT training figure (score MLP 3 x WIDTH, K = 5)");
  cmd->add_option("width", a->width, "hidden width of the score MLP")
      ->required()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 16));
  cmd->add_option("--threads", a->threads, "intra-op threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  add_seconds(*cmd, a->seconds, "seconds to measure")->capture_default_str();
  add_device(*cmd, a->device);
  cmd->add_flag("--reference", a->reference, "the autograd path instead of the fused MLP");
  cmd->add_flag("--phases", a->phases, "also the time of each section of a step");
  add_cuda_graph(*cmd, a->cuda_graph);
  return [a] {
    const SmtSpeed m = smt_speed(a->device, a->width, a->threads, a->seconds, !a->reference,
                                 a->cuda_graph, a->phases);
    std::printf(
        "SMT train, score MLP 3x%lld, K=5, %d thread(s)%s on %s: %.1f gen steps/s  %.1f score "
        "steps/s  %.1f GFLOP/s  (steps: %s)\n",
        static_cast<long long>(a->width), a->threads, a->reference ? ", autograd path" : "",
        a->device.c_str(), m.gen_steps_per_s, m.score_steps_per_s, m.gflops(), m.step_mode.c_str());
    return 0;
  };
}

Command add_images_command(CLI::App& app) {
  auto img = std::make_shared<ImageBenchOptions>();
  img->presets = {"fmnist-smt-cpu", "fmnist-dsm-cpu"};
  auto* cmd = app.add_subcommand(
      "images", "image training steps/s and images/s of each phase (pretrain, teacher, main)");
  add_seconds(*cmd, img->seconds, "training seconds per preset")->capture_default_str();
  add_presets(*cmd, img->presets);
  add_device(*cmd, img->device);
  add_precision(*cmd, img->precision);
  cmd->add_flag("--phases", img->phases, "also the time of each section of a step");
  add_cuda_graph(*cmd, img->cuda_graph);
  cmd->add_option("--only-phase", img->only_phase, "measure this phase alone")
      ->check(CLI::IsMember({"pretrain", "teacher", "main"}));
  cmd->add_option("--sample-n", img->sample_n, "images per sampling figure")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20))
      ->capture_default_str();
  auto* tf32 = cmd->add_flag("--tf32", "TF32 tensor cores for float32 matmuls and convolutions");
  auto* cudnn = cmd->add_flag("--cudnn-benchmark", "cuDNN times its algorithms per shape");
  return [img, tf32, cudnn] {
    if (*tf32) {
      at::globalContext().setAllowTF32CuBLAS(true);
      at::globalContext().setAllowTF32CuDNN(true);
    }
    if (*cudnn) at::globalContext().setBenchmarkCuDNN(true);
    print_image_throughput(*img);
    return 0;
  };
}

Command add_image_quality_command(CLI::App& app) {
  auto img = std::make_shared<ImageBenchOptions>();
  img->presets = {"fmnist-smt-cpu", "fmnist-smm-cpu", "fmnist-dsm-cpu"};
  img->seconds = 600;
  auto* cmd = app.add_subcommand("image-quality",
                                 "FID of each image preset at the start and after its budget");
  add_seconds(*cmd, img->seconds, "training budget per preset")->capture_default_str();
  cmd->add_option("--samples", img->samples, "images per FID figure")
      ->check(CLI::Range(int64_t{2}, int64_t{1} << 20))
      ->capture_default_str();
  add_presets(*cmd, img->presets);
  cmd->add_option("--grids", img->grid_dir, "folder for PRESET-grid.png")->capture_default_str();
  add_device(*cmd, img->device);
  add_precision(*cmd, img->precision);
  auto* no_start = cmd->add_flag("--no-start-fid", "skip the untrained model's FID");
  return [img, no_start] {
    img->start_fid = !*no_start;
    print_image_quality(*img);
    return 0;
  };
}

Command add_sync_check_command(CLI::App& app) {
  struct Args {
    std::vector<std::string> presets = {"fmnist-smt-cpu", "fmnist-dsm-cpu"};
    std::string device = "cuda", precision = "fp32";
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("sync-check", "CUDA builds: training steps make no host syncs");
  add_presets(*cmd, a->presets);
  add_device(*cmd, a->device);
  add_precision(*cmd, a->precision);
  return [a] {
    return print_sync_check(a->presets, a->device == "cpu" ? "cuda" : a->device, a->precision, 20);
  };
}

Command add_claims_command(CLI::App& app) {
  auto c = std::make_shared<ClaimsOptions>();
  auto* cmd = app.add_subcommand("claims", "the papers' claims, 3 seeds each, as a table");
  cmd->add_flag("--quick", c->quick, "shorter training, fewer arms and samples (~15 minutes)");
  cmd->add_option("--seeds", c->seeds, "seeds per arm")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  add_seconds(*cmd, c->seconds, "training seconds of a 2-D arm (default 60, --quick 15)");
  add_device(*cmd, c->device);
  return [c] {
    const int failed = print_claims_table(*c);
    std::printf("\n%d claim(s) not reproduced\n", failed);
    return 0;
  };
}

Command add_allreduce_command(CLI::App& app) {
  struct Args {
    std::string preset, device = "cpu";
    double seconds = 3;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "allreduce", "as one rank of a group: the time of one gradient all-reduce of PRESET");
  cmd->add_option("preset", a->preset, "the preset whose networks are averaged")->required();
  add_seconds(*cmd, a->seconds, "seconds to measure")->capture_default_str();
  add_device(*cmd, a->device);
  return [a] { return print_allreduce_time(a->preset, a->device, a->seconds); };
}

}  // namespace scorelab::bench
