#pragma once
// Evaluation requests (a score field, samples, a recorded Langevin run) and their results, as CPU
// tensors: the Trainer answers them on its probe thread, the CLI and benchmarks draw samples too.
#include <torch/types.h>

#include <string>
#include <vector>

#include "metrics/toy_metrics.h"

namespace scorelab {

// A score field on an nx × ny grid over [x0, x1] × [y0, y1].
struct FieldRequest {
  std::string model = "score";  // which score model of the method
  double sigma = 0.1;
  double alpha = 1.0;  // for α-conditioned models
  double x0 = -3, x1 = 3, y0 = -3, y1 = 3;
  int64_t nx = 32, ny = 32;
  bool exact = true;  // also compute the exact counterpart
  std::string data;   // the data set asked about ("" = any); see SampleRequest::data
};

struct FieldResult {
  FieldRequest request;
  int64_t step = 0;
  torch::Tensor points;       // [ny·nx, 2], row-major: y outer, x inner
  torch::Tensor learned;      // [ny·nx, 2]
  torch::Tensor exact;        // [ny·nx, 2], or undefined when not asked
  torch::Tensor log_density;  // [ny·nx] exact log density at σ, or undefined
  std::string exact_kind;     // "mixture" (closed form) or "empirical" (from samples)
};

// Samples from the current model with a named sampler.
struct SampleRequest {
  std::string sampler = "annealed";  // onestep | annealed | langevin
  int64_t n = 2000;
  uint64_t seed = 1;
  bool metrics = true;  // also evaluate them against fresh real samples
  // The data set the caller asks about ("" = whatever the run trains on). A request that
  // outlives a switch to another data set is refused instead of sampling the new one (a 2-D
  // panel's 20000 points would be 20000 images).
  std::string data;
};

struct SampleResult {
  torch::Tensor samples;  // [n, 2]
  int64_t nfe = 0;        // network evaluations per sample
  double seconds = 0;
  bool has_metrics = false;
  SampleMetrics metrics;
};

// A recorded Langevin run, for stepping and rewinding in the app.
struct LangevinRequest {
  bool annealed = true;
  bool exact_score = false;  // use the data's exact score (mixtures, or the empirical one)
  int64_t n = 2000;
  int64_t record_every = 10;  // keep the particles every k steps
  uint64_t seed = 1;
  std::string data;  // the data set asked about ("" = the current one); see SampleRequest::data
};

struct LangevinTrace {
  std::vector<torch::Tensor> frames;  // particles [n, 2] at steps 0, k, 2k, …, end
  std::vector<int64_t> frame_steps;
  std::vector<double> frame_sigma, frame_step_size;
  torch::Tensor result;  // final (denoised when configured) particles
  int64_t nfe = 0;
  double seconds = 0;
};

}  // namespace scorelab
