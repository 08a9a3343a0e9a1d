#pragma once
// The mixture weight α of Score-of-Mixture Training, drawn per sample. The score model sees the
// whole family including α = 0 (the fake score, always used by the generator update); the
// generator update draws from the same family with 0 removed. Kinds (MethodConfig):
//   grid       uniform on {0, 1/(n−1), …, 1}, a fraction alpha_zero_frac forced to 0
//   pointmass  {0, ½, 1} with probability alpha_point_prob, else the grid (released code)
//   fixed      uniform over alpha_fixed ({0, 1} is the amortized reverse-KL / DMD ablation)
//   beta       Beta(a, b), a fraction alpha_zero_frac forced to 0
#include <torch/types.h>

#include <vector>

#include "config/config.h"

namespace scorelab {

class Rng;

class AlphaSampler {
 public:
  enum class Kind { grid, pointmass, fixed, beta };  // alpha_sampler_kinds(), in order

  // The config is validated (config_io): its kind is known and `fixed` has a value above 0.
  AlphaSampler(const MethodConfig& config, torch::Device device);

  // [n, 1] float32 draws for the score model's loss.
  torch::Tensor score_alphas(int64_t n, const Rng& rng) const;
  // [n, 1] float32 draws in (0, 1] for the generator update.
  torch::Tensor generator_alphas(int64_t n, const Rng& rng) const;

 private:
  torch::Tensor grid_draw(int64_t n, const Rng& rng, bool with_zero) const;
  torch::Tensor pick(const torch::Tensor& values, int64_t n, const Rng& rng) const;
  torch::Tensor beta_draw(int64_t n, const Rng& rng) const;
  torch::Tensor force_zeros(torch::Tensor alpha, const Rng& rng) const;

  MethodConfig config_;
  Kind kind_;
  torch::Device device_;
  torch::Tensor fixed_, fixed_positive_, points_, points_positive_;
};

}  // namespace scorelab
