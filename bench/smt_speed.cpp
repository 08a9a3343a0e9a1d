#include "smt_speed.h"

#include <torch/torch.h>

#include <cstdio>
#include <memory>

#include "bench_util.h"
#include "common/process_setup.h"
#include "config/config.h"
#include "phase_table.h"
#include "train/run_parts.h"
#include "train/step_runner.h"

namespace scorelab::bench {

namespace {

// Multiply-adds per sample of one forward pass of the α-conditioned score MLP with its
// discriminator head (data dim 2).
double score_macs(const ModelConfig& m) {
  const double h = static_cast<double>(m.hidden), f2 = 2.0 * m.fourier_features;
  return 2 * h + (m.layers - 1) * h * h + h * 2 + 2 * f2 * h + h;
}

double gen_macs(const ModelConfig& m) {
  const double h = static_cast<double>(m.gen_hidden);
  return m.z_dim * h + (m.gen_layers - 1) * h * h + h * 2;
}

// A training pass costs ~3 forwards (forward, gradient of inputs, gradient of weights).
double gflop_per_gen_step(const Config& c) {
  const double b = static_cast<double>(c.optim.batch);
  const double k = static_cast<double>(c.method.score_steps);
  const double score_step = 3 * score_macs(c.model) * 2 * b + gen_macs(c.model) * b;
  const double gen_step = 3 * gen_macs(c.model) * b + score_macs(c.model) * 3 * b;
  return 2 * (k * score_step + gen_step) / 1e9;
}

}  // namespace

SmtSpeed smt_speed(const std::string& device, int64_t score_width, int threads, double seconds,
                   bool fast_mlp, const std::string& cuda_graph, bool phases) {
  set_compute_threads(threads);
  Config c;
  c.data.name = "swissroll";
  c.method.name = "smt";
  c.method.score_steps = 5;
  c.model.hidden = score_width;
  c.model.layers = 3;
  c.model.gen_hidden = 128;
  c.model.gen_layers = 2;
  c.optim.batch = 256;
  c.run.device = device;
  c.run.fast_mlp = fast_mlp;
  c.run.cuda_graph = cuda_graph;
  RunParts run = build_run(c);
  StepRunner runner(*run.method, run.device, cuda_graph);
  std::vector<torch::Tensor> losses;
  for (int i = 0; i < 10; ++i) runner.step(losses);
  sync(run.device);
  int64_t n = 0;
  const auto t0 = Clock::now();
  while (since(t0) < seconds) {
    for (int i = 0; i < 10; ++i) runner.step(losses);
    n += 10;
    losses[0].item<double>();  // one readback per 10 steps, as the Trainer does
  }
  sync(run.device);
  const double t = since(t0);
  if (phases) {
    PhaseTimer timer(run.device);
    run.method->set_phase_timer(&timer);
    int64_t eager = 0;
    const auto t1 = Clock::now();
    while (since(t1) < seconds / 3 || eager < 10) {
      run.method->step(losses);
      ++eager;
    }
    run.method->set_phase_timer(nullptr);
    print_phase_table(timer, {{"main", eager}},
                      phase_marks_are_events(run.device) ? "CUDA events" : "steady clock");
    std::printf("    %-12s %-10s %10.3f   (the measured rate above, %s)\n", "main", "step",
                1e3 * t / static_cast<double>(n), runner.describe().c_str());
  }
  SmtSpeed s;
  s.step_mode = runner.describe();
  s.gen_steps_per_s = n / t;
  s.score_steps_per_s = n * c.method.score_steps / t;
  s.gflop_per_gen_step = gflop_per_gen_step(c);
  return s;
}

double python_smt_steps_per_s(int64_t score_width, double seconds) {
  // Debian's python3-torch lives in the system interpreter, which may not be the first on PATH.
  for (const char* python : {"python3", "/usr/bin/python3"}) {
    const std::string cmd = std::string(python) + " '" SCORELAB_SMT_PY "' --width " +
                            std::to_string(score_width) + " --seconds " + std::to_string(seconds) +
                            " 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    if (!pipe) continue;
    double rate = 0;
    if (std::fscanf(pipe.get(), "gen_steps_per_s %lf", &rate) == 1 && rate > 0) return rate;
  }
  return 0;
}

}  // namespace scorelab::bench
