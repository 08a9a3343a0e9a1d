#pragma once
// Timing helpers shared by the benchmark's sections.
#include <torch/types.h>

#include <chrono>
#include <vector>

namespace scorelab::bench {

using Clock = std::chrono::steady_clock;

inline double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Waits for queued CUDA work so a timer measures it; nothing on the CPU.
void sync(const torch::Device& d);

// The middle value (the upper one of an even count); 0 when empty.
double median(std::vector<double> v);

// GFLOP/s of a [256, 256] × [256, 256] float matmul, the size class of the toy MLPs' layers.
double sgemm_gflops(double seconds);

}  // namespace scorelab::bench
