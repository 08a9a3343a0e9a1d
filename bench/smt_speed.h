#pragma once
// SMT training throughput: generator and score updates per second at batch 256, generator MLP
// 2×128, K = 5 score steps per generator step, and the matmul FLOP rate that achieves.
#include <string>

namespace scorelab::bench {

struct SmtSpeed {
  double gen_steps_per_s = 0;
  double score_steps_per_s = 0;
  double gflop_per_gen_step = 0;  // matmul FLOPs of one generator step with its K score steps
  double gflops() const { return gen_steps_per_s * gflop_per_gen_step; }
  std::string step_mode;  // "eager: ..." or "CUDA graph (...)"
};

// fast_mlp: the hand-written MLP path (run.fast_mlp); false = libtorch autograd, the reference.
// cuda_graph: run.cuda_graph. phases: afterwards, eager steps for a third of `seconds` timed by
// section (CUDA events on the GPU), printed as a table.
SmtSpeed smt_speed(const std::string& device, int64_t score_width, int threads, double seconds,
                   bool fast_mlp = true, const std::string& cuda_graph = "auto",
                   bool phases = false);

// The same step written in PyTorch-in-Python (bench/python/smt_step.py), 1 thread: generator
// steps/s, or 0 when no python3 here imports torch.
double python_smt_steps_per_s(int64_t score_width, double seconds);

}  // namespace scorelab::bench
