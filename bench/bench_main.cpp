// scorelab-bench: DSM and SMT training throughput (1 and 2 threads), annealed Langevin
// samples/s, and the machine's single-thread sgemm rate measured in the same run, so figures
// can be compared as ratios (this machine's speed drifts between minutes). Subcommands measure
// the rest (bench_commands.h; `scorelab-bench --help` lists them):
//   quality        sample quality of the one-step presets after a short and a long run
//   smt WIDTH      one SMT figure (e.g. under perf), --phases: the time of each section
//   images         each phase of an image method apart: pretrain, teacher, main
//   image-quality  FID at the start and after the budget, with sample grids
//   sync-check     CUDA builds: no host syncs in training steps
//   claims         the papers' claims, 3 seeds each
//   allreduce      as ranks: the time of one gradient all-reduce
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "../app/parse_error.h"
#include "bench_commands.h"
#include "bench_util.h"
#include "common/device.h"
#include "common/process_setup.h"
#include "sample/draw_samples.h"
#include "settings/presets.h"
#include "smt_speed.h"
#include "train/run_parts.h"

using namespace scorelab;
using namespace scorelab::bench;

namespace scorelab::bench {

void sync(const torch::Device& d) {
  if (d.is_cuda())
    torch::zeros({1}, torch::TensorOptions().device(d)).cpu();  // waits for the stream
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double sgemm_gflops(double seconds) {
  auto a = torch::randn({256, 256}), b = torch::randn({256, 256}), c = torch::empty({256, 256});
  for (int i = 0; i < 20; ++i) torch::matmul_out(c, a, b);
  int64_t n = 0;
  const auto t0 = Clock::now();
  while (since(t0) < seconds) {
    for (int i = 0; i < 50; ++i) torch::matmul_out(c, a, b);
    n += 50;
  }
  return 2.0 * 256 * 256 * 256 * n / since(t0) / 1e9;
}

}  // namespace scorelab::bench

namespace {

// DSM steps/s on gauss8 (score MLP 3×128, batch 256).
double dsm_steps_per_s(const std::string& device, int threads, double seconds) {
  set_compute_threads(threads);
  Config c = load_preset("gauss8-dsm");
  c.run.device = device;
  c.optim.batch = 256;
  RunParts run = build_run(c);
  std::vector<torch::Tensor> losses;
  for (int i = 0; i < 50; ++i) run.method->step(losses);
  sync(run.device);
  int64_t n = 0;
  const auto t0 = Clock::now();
  while (since(t0) < seconds) {
    for (int i = 0; i < 20; ++i) run.method->step(losses);
    n += 20;
    losses[0].item<double>();  // one readback per 20 steps, as the Trainer does
  }
  sync(run.device);
  return n / since(t0);
}

struct SamplerFigures {
  double samples_per_s, evals_per_s;
  int64_t nfe;
};

SamplerFigures annealed_rate(const std::string& device, int64_t n) {
  set_compute_threads(1);
  Config c = load_preset("gauss8-dsm");
  c.run.device = device;
  RunParts run = build_run(c);
  SampleResult warm = draw_samples(*run.method, c.sampler, "annealed", 64, 2, 1, run.device);
  (void)warm;
  sync(run.device);
  const auto t0 = Clock::now();
  SampleResult r = draw_samples(*run.method, c.sampler, "annealed", n, 2, 2, run.device);
  sync(run.device);
  const double s = since(t0);
  return {n / s, n * static_cast<double>(r.nfe) / s, r.nfe};
}

}  // namespace

namespace {

// SMT at one width: the fast path, the autograd path and PyTorch-in-Python, with sgemm.
void print_smt_rows(const std::string& device, const torch::Device& dev, int64_t width,
                    double seconds) {
  // This machine's speed drifts by up to 2x between minutes, so the ratios come from three
  // rounds of (sgemm, fast path, autograd path, Python) taken back to back: each ratio is the
  // median of its three same-round ratios, each rate the median of its three.
  std::vector<double> fast, ref, py, gemm, vs_gemm, vs_ref, vs_py;
  SmtSpeed shape;
  for (int round = 0; round < 3; ++round) {
    const double third = seconds / 3;
    gemm.push_back(sgemm_gflops(third));
    shape = smt_speed(device, width, 1, third);
    fast.push_back(shape.gen_steps_per_s);
    ref.push_back(smt_speed(device, width, 1, third, /*fast_mlp=*/false).gen_steps_per_s);
    vs_gemm.push_back(shape.gflops() / gemm.back());
    vs_ref.push_back(fast.back() / ref.back());
    if (dev.is_cpu()) {
      const double p = python_smt_steps_per_s(width, third);
      if (p > 0) {
        py.push_back(p);
        vs_py.push_back(fast.back() / p);
      }
    }
  }
  char label[96];
  std::snprintf(label, sizeof label, "SMT train, score MLP 3x%lld, K=5, 1 thread",
                static_cast<long long>(width));
  std::printf(
      "%-52s %10.1f gen steps/s  %7.1f score steps/s  %6.1f GFLOP/s (%.0f%% of sgemm %.1f)\n",
      label, median(fast), 5 * median(fast), median(fast) * shape.gflop_per_gen_step,
      100 * median(vs_gemm), median(gemm));
  std::printf("%-52s %10.1f gen steps/s  (fast path %.2fx)\n",
              "  the same, autograd path, 1 thread", median(ref), median(vs_ref));
  if (!py.empty()) {
    std::printf("%-52s %10.1f gen steps/s  (fast path %.2fx)\n",
                "  the same in PyTorch-in-Python, 1 thread", median(py), median(vs_py));
  } else if (dev.is_cpu()) {
    std::printf("%-52s %10s (no python3 with torch here)\n",
                "  the same in PyTorch-in-Python, 1 thread", "-");
  }
  if (dev.is_cpu()) {
    const SmtSpeed two = smt_speed(device, width, 2, seconds);
    std::snprintf(label, sizeof label, "SMT train, score MLP 3x%lld, K=5, 2 threads",
                  static_cast<long long>(width));
    std::printf("%-52s %10.1f gen steps/s\n", label, two.gen_steps_per_s);
  }
}

}  // namespace

int scorelab::bench::print_speed_table(const std::string& device, double seconds) {
  const torch::Device dev = resolve_device(device);
  std::printf("scorelab-bench  libtorch %s  device %s  %.1f s per figure\n", TORCH_VERSION,
              describe_device(dev).c_str(), seconds);
  set_compute_threads(1);
  const double g1 = sgemm_gflops(seconds);
  std::printf("%-52s %10.1f GFLOP/s\n", "sgemm 256x256x256, 1 thread", g1);
  const double s1 = dsm_steps_per_s(device, 1, seconds);
  std::printf("%-52s %10.1f steps/s\n", "DSM train gauss8, MLP 3x128, batch 256, 1 thread", s1);
  if (dev.is_cpu()) {
    const double s2 = dsm_steps_per_s(device, 2, seconds);
    std::printf("%-52s %10.1f steps/s  (%.2fx of 1 thread)\n",
                "DSM train gauss8, MLP 3x128, batch 256, 2 threads", s2, s2 / s1);
  }
  for (int64_t width : {128, 256}) print_smt_rows(device, dev, width, seconds);
  for (int64_t n : {1000, 10000}) {
    const auto a = annealed_rate(device, n);
    char label[96];
    std::snprintf(label, sizeof label, "annealed Langevin, %lld particles, %lld NFE",
                  static_cast<long long>(n), static_cast<long long>(a.nfe));
    std::printf("%-52s %10.1f samples/s  (%.3g particle-evals/s)\n", label, a.samples_per_s,
                a.evals_per_s);
  }
  return 0;
}

int main(int argc, char** argv) {
  setup_process();
  CLI::App app{"scorelab-bench: training and sampling throughput, quality tables, claims"};
  app.require_subcommand(0, 1);
  const Command speed = add_speed_options(app);
  const std::vector<std::pair<const char*, Command>> commands = {
      {"quality", add_quality_command(app)},
      {"smt", add_smt_command(app)},
      {"images", add_images_command(app)},
      {"image-quality", add_image_quality_command(app)},
      {"sync-check", add_sync_check_command(app)},
      {"claims", add_claims_command(app)},
      {"allreduce", add_allreduce_command(app)},
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(app, e, "scorelab-bench");
  }
  try {
    for (const auto& [name, run] : commands)
      if (app.got_subcommand(name)) return run();
    return speed();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scorelab-bench: %s\n", e.what());
    return 1;
  }
}
