#pragma once
// Annealed Langevin dynamics (Song & Ermon 2019) and plain Langevin as a steppable object: one
// call to step() is one Langevin step of every particle (one score evaluation each), so the app
// can step, play and rewind, and the CLI can run to the end.
//   annealed: for i = 1..L (σ_1 > … > σ_L geometric), a_i = ε·σ_i²/σ_L², T steps of
//             x ← x + (a_i/2)·s(x, σ_i) + √a_i·z
//   plain:    the same update at σ_L with a = ε, for the same L·T steps.
#include <torch/types.h>

#include <functional>

#include <vector>

#include "common/rng.h"
#include "config/config.h"
#include "sample/score_fn.h"

namespace scorelab {

// sampler.* (levels, steps_per_level, sigma_max, sigma_min, eps, init gaussian N(0, σ_1²I) or
// uniform [−box, box]^D, init_box, denoise_last: result() adds σ_L²·s(x, σ_L), one more
// evaluation), and whether the σ's anneal.
struct LangevinOptions : SamplerConfig {
  bool annealed = true;
};

LangevinOptions langevin_options(const SamplerConfig& config, bool annealed);

class LangevinSampler {
 public:
  LangevinSampler(ScoreFn score, const LangevinOptions& options, int64_t n, int64_t dim,
                  uint64_t seed, torch::Device device);

  bool done() const { return step_ >= total_steps(); }
  void step();  // no-op when done
  // Steps to the end, calling between_steps (when given) before each step: a long run's place
  // to yield or be cancelled (by throwing).
  void run(const std::function<void()>& between_steps = {});
  // The particles after the last step, denoised once when denoise_last (computed on each call).
  torch::Tensor result();

  const torch::Tensor& particles() const { return x_; }
  int64_t level() const;     // 0-based index of the current level
  double sigma() const;      // σ of the current level
  double step_size() const;  // a of the current level
  int64_t steps_done() const { return step_; }
  int64_t total_steps() const { return options_.levels * options_.steps_per_level; }
  int64_t nfe() const { return nfe_; }  // score evaluations per particle so far
  const std::vector<double>& sigmas() const { return sigmas_; }
  const LangevinOptions& options() const { return options_; }

 private:
  ScoreFn score_;
  LangevinOptions options_;
  Rng rng_;
  std::vector<double> sigmas_;  // per level; plain Langevin repeats σ_L
  torch::Tensor x_;
  int64_t step_ = 0;
  int64_t nfe_ = 0;
};

// Runs a sampler named "annealed" | "langevin" to the end and returns its result.
torch::Tensor run_langevin(const ScoreFn& score, const SamplerConfig& config, bool annealed,
                           int64_t n, int64_t dim, uint64_t seed, torch::Device device);

}  // namespace scorelab
