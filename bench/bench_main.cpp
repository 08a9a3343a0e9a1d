// scorelab-bench: DSM and SMT training throughput (1 and 2 threads), annealed Langevin
// samples/s, and the machine's single-thread sgemm rate measured in the same run, so figures
// can be compared as ratios (this machine's speed drifts between minutes). With --quality, the
// sample-quality table of the one-step presets after a short and a long run instead.
//   scorelab-bench [--seconds S] [--device auto|cpu|cuda]
//   scorelab-bench --quality [--short S] [--long S] [--presets a,b,...] [--device D]
//   scorelab-bench --smt WIDTH [--threads T] [--seconds S] [--reference] [--phases]
//                  [--cuda-graph auto|on|off]
//                  (one SMT figure, e.g. under perf; --reference: the autograd path;
//                  --phases: the time of each section of a step)
//   scorelab-bench --images [--seconds S] [--presets a,b] [--device D] [--precision P]
//                  [--phases] [--cuda-graph auto|on|off] [--tf32] [--only-phase K]
//                  [--cudnn-benchmark] [--sample-n N]
//                  (each phase of a method apart: pretrain, teacher, main)
//   scorelab-bench --image-quality [--seconds S] [--samples N] [--presets a,b] [--grids DIR]
//                  [--device D] [--precision fp32|bf16] [--no-start-fid]
//   scorelab-bench --sync-check [--presets a,b] [--precision P]   (CUDA builds: no host syncs)
//   scorelab-bench --claims [--quick] [--seeds N] [--seconds S] [--device D]   (papers' claims)
//   scorelab-bench --allreduce PRESET [--seconds S] [--device D]   (as ranks: one all-reduce)
#include <ATen/Context.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "allreduce_bench.h"
#include "bench_util.h"
#include "claims.h"
#include "common/device.h"
#include "common/process_setup.h"
#include "settings/presets.h"
#include "image_bench.h"
#include "quality_table.h"
#include "sample/draw_samples.h"
#include "smt_speed.h"
#include "sync_check.h"
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

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    const size_t end = comma == std::string::npos ? s.size() : comma;
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  setup_process();
  double seconds = 3;
  std::string device = "cpu";
  bool quality = false;
  int64_t smt_only_width = 0;
  int smt_only_threads = 1;
  bool smt_reference = false;
  QualityOptions q;
  ImageBenchOptions img;
  img.presets = {"fmnist-smt-cpu", "fmnist-dsm-cpu"};
  bool images = false, image_quality = false;
  bool seconds_given = false;
  bool sync_check = false;
  bool claims = false;
  std::string allreduce_preset;
  ClaimsOptions claims_options;
  q.presets = default_quality_presets();
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (!std::strcmp(argv[i], "--seconds") && has_value) {
      seconds = std::atof(argv[++i]);
      seconds_given = true;
    } else if (!std::strcmp(argv[i], "--device") && has_value) {
      device = argv[++i];
    } else if (!std::strcmp(argv[i], "--smt") && has_value) {
      smt_only_width = std::atoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--reference")) {
      smt_reference = true;
    } else if (!std::strcmp(argv[i], "--threads") && has_value) {
      smt_only_threads = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--quality")) {
      quality = true;
    } else if (!std::strcmp(argv[i], "--short") && has_value) {
      q.short_seconds = std::atof(argv[++i]);
    } else if (!std::strcmp(argv[i], "--long") && has_value) {
      q.long_seconds = std::atof(argv[++i]);
    } else if (!std::strcmp(argv[i], "--presets") && has_value) {
      q.presets = split_list(argv[i + 1]);
      img.presets = split_list(argv[++i]);
    } else if (!std::strcmp(argv[i], "--images")) {
      images = true;
    } else if (!std::strcmp(argv[i], "--image-quality")) {
      image_quality = true;
    } else if (!std::strcmp(argv[i], "--samples") && has_value) {
      img.samples = std::atoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--grids") && has_value) {
      img.grid_dir = argv[++i];
    } else if (!std::strcmp(argv[i], "--precision") && has_value) {
      img.precision = argv[++i];
    } else if (!std::strcmp(argv[i], "--sync-check")) {
      sync_check = true;
    } else if (!std::strcmp(argv[i], "--claims")) {
      claims = true;
    } else if (!std::strcmp(argv[i], "--quick")) {
      claims_options.quick = true;
    } else if (!std::strcmp(argv[i], "--seeds") && has_value) {
      claims_options.seeds = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--allreduce") && has_value) {
      allreduce_preset = argv[++i];
    } else if (!std::strcmp(argv[i], "--tf32")) {
      // TF32 tensor cores for float32 matmuls and convolutions (CUDA; no effect elsewhere).
      at::globalContext().setAllowTF32CuBLAS(true);
      at::globalContext().setAllowTF32CuDNN(true);
    } else if (!std::strcmp(argv[i], "--cudnn-benchmark")) {
      at::globalContext().setBenchmarkCuDNN(true);  // cuDNN times its algorithms per shape
    } else if (!std::strcmp(argv[i], "--sample-n") && has_value) {
      img.sample_n = std::atoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--only-phase") && has_value) {
      img.only_phase = argv[++i];
    } else if (!std::strcmp(argv[i], "--phases")) {
      img.phases = true;
    } else if (!std::strcmp(argv[i], "--cuda-graph") && has_value) {
      img.cuda_graph = argv[++i];
    } else if (!std::strcmp(argv[i], "--no-start-fid")) {
      img.start_fid = false;
    } else {
      std::fprintf(
          stderr,
          "usage: scorelab-bench [--seconds S] [--device auto|cpu|cuda]\n"
          "       scorelab-bench --quality [--short S] [--long S] [--presets a,b,...] "
          "[--device D]\n"
          "       scorelab-bench --smt WIDTH [--threads T] [--seconds S] [--device D] "
          "[--reference] [--phases] [--cuda-graph auto|on|off]\n"
          "       scorelab-bench --images [--seconds S] [--presets a,b] [--device D] "
          "[--precision fp32|bf16] [--phases] [--cuda-graph auto|on|off] [--tf32] "
          "[--only-phase pretrain|teacher|main] [--sample-n N] [--cudnn-benchmark]\n"
          "       scorelab-bench --image-quality [--seconds S] [--samples N] "
          "[--presets a,b] [--grids DIR] [--device D] [--precision fp32|bf16] "
          "[--no-start-fid]\n"
          "       scorelab-bench --sync-check [--presets a,b] [--device cuda] "
          "[--precision P]\n"
          "       scorelab-bench --claims [--quick] [--seeds N] [--seconds S] [--device D]\n"
          "       scorelab-bench --allreduce PRESET [--seconds S] [--device D]   (as ranks)\n");
      return 2;
    }
  }
  if (smt_only_width < 0 || smt_only_threads < 1) {
    std::fprintf(stderr, "scorelab-bench: need --smt WIDTH > 0 and --threads >= 1\n");
    return 2;
  }
  if (img.sample_n < 1) {
    std::fprintf(stderr, "scorelab-bench: need --sample-n >= 1\n");
    return 2;
  }
  if (!img.only_phase.empty() && img.only_phase != "pretrain" && img.only_phase != "teacher" &&
      img.only_phase != "main") {
    std::fprintf(stderr, "scorelab-bench: --only-phase is pretrain, teacher or main, not %s\n",
                 img.only_phase.c_str());
    return 2;
  }
  if (img.cuda_graph != "auto" && img.cuda_graph != "on" && img.cuda_graph != "off") {
    std::fprintf(stderr, "scorelab-bench: --cuda-graph is auto, on or off, not %s\n",
                 img.cuda_graph.c_str());
    return 2;
  }
  if (img.precision != "fp32" && img.precision != "bf16") {
    std::fprintf(stderr, "scorelab-bench: --precision is fp32 or bf16, not %s\n",
                 img.precision.c_str());
    return 2;
  }
  if (seconds <= 0 || q.short_seconds <= 0 || q.long_seconds < q.short_seconds) {
    std::fprintf(stderr, "scorelab-bench: need --seconds > 0 and 0 < --short <= --long\n");
    return 2;
  }
  if (claims_options.seeds < 1) {
    std::fprintf(stderr, "scorelab-bench: need --seeds >= 1\n");
    return 2;
  }
  try {
    if (!allreduce_preset.empty()) {
      return print_allreduce_time(allreduce_preset, device, seconds_given ? seconds : 3);
    }
    if (claims) {
      claims_options.device = device;
      if (seconds_given) claims_options.seconds = seconds;
      const int failed = print_claims_table(claims_options);
      std::printf("\n%d claim(s) not reproduced\n", failed);
      return 0;
    }
    if (sync_check) {
      return print_sync_check(img.presets, device == "cpu" ? "cuda" : device, img.precision, 20);
    }
    if (images || image_quality) {
      img.device = device;
      if (image_quality) {
        img.seconds = seconds_given ? seconds : 600;
        if (img.presets == std::vector<std::string>{"fmnist-smt-cpu", "fmnist-dsm-cpu"}) {
          img.presets = {"fmnist-smt-cpu", "fmnist-smm-cpu", "fmnist-dsm-cpu"};
        }
        print_image_quality(img);
      } else {
        if (seconds_given) img.seconds = seconds;
        print_image_throughput(img);
      }
      return 0;
    }
    if (quality) {
      q.device = device;
      print_quality_table(q);
      return 0;
    }
    if (smt_only_width > 0) {
      const SmtSpeed m = smt_speed(device, smt_only_width, smt_only_threads, seconds,
                                   !smt_reference, img.cuda_graph, img.phases);
      std::printf(
          "SMT train, score MLP 3x%lld, K=5, %d thread(s)%s on %s: %.1f gen steps/s  %.1f score "
          "steps/s  %.1f GFLOP/s  (steps: %s)\n",
          static_cast<long long>(smt_only_width), smt_only_threads,
          smt_reference ? ", autograd path" : "", device.c_str(), m.gen_steps_per_s,
          m.score_steps_per_s, m.gflops(), m.step_mode.c_str());
      return 0;
    }
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
    for (int64_t width : {128, 256}) {
      // This machine's speed drifts by up to 2x between minutes, so the ratios come from three
      // rounds of (sgemm, fast path, autograd path, Python) taken back to back: each ratio is
      // the median of its three same-round ratios, each rate the median of its three.
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
      const double per_step = shape.gflop_per_gen_step;
      char label[96];
      std::snprintf(label, sizeof label, "SMT train, score MLP 3x%lld, K=5, 1 thread",
                    static_cast<long long>(width));
      std::printf(
          "%-52s %10.1f gen steps/s  %7.1f score steps/s  %6.1f GFLOP/s (%.0f%% of sgemm %.1f)\n",
          label, median(fast), 5 * median(fast), median(fast) * per_step, 100 * median(vs_gemm),
          median(gemm));
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
    for (int64_t n : {1000, 10000}) {
      const auto a = annealed_rate(device, n);
      char label[96];
      std::snprintf(label, sizeof label, "annealed Langevin, %lld particles, %lld NFE",
                    static_cast<long long>(n), static_cast<long long>(a.nfe));
      std::printf("%-52s %10.1f samples/s  (%.3g particle-evals/s)\n", label, a.samples_per_s,
                  a.evals_per_s);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scorelab-bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
