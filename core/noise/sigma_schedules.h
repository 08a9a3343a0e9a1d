#pragma once
// Noise levels: the Karras grid, NCSN's geometric ladder, EDM's log-normal draw, and SMM's
// discrete β schedule; plus a per-sample σ sampler for training driven by NoiseConfig.
#include <torch/types.h>

#include <vector>

#include "config/config.h"

namespace scorelab {

class Rng;

// σ_i = (σmin^(1/ρ) + i/(N−1)·(σmax^(1/ρ) − σmin^(1/ρ)))^ρ, i = 0..N−1 (ascending).
std::vector<double> karras_sigmas(int64_t n, double sigma_min, double sigma_max, double rho);

// n levels from sigma_max down to sigma_min, equally spaced in log σ (descending, σ_1 first).
std::vector<double> geometric_sigmas(int64_t n, double sigma_max, double sigma_min);

// SMM: β linear from beta_min to beta_max over T steps, ᾱ_t = Π(1 − β_i), σ_t = sqrt(1 − ᾱ_t)
// (ascending, t = 1..T).
std::vector<double> smm_sigmas(int64_t steps, double beta_min = 1e-4, double beta_max = 0.02);

// Draws one σ per sample for training: karras (uniform over the grid's indices), geometric
// (uniform over the ladder), lognormal (ln σ ~ N(mean, std²) clipped to [σmin, σmax]).
class SigmaSampler {
 public:
  SigmaSampler(const NoiseConfig& config, torch::Device device);
  // σ for n samples, [n, 1] float32. lo_frac/hi_frac restrict grid schedules to a slice of the
  // index range (e.g. 0.02..0.98 for SMT's generator update).
  torch::Tensor sample(int64_t n, const Rng& rng, double lo_frac = 0, double hi_frac = 1) const;
  const torch::Tensor& grid() const { return grid_; }  // ascending levels; empty for lognormal

 private:
  NoiseConfig config_;
  torch::Tensor grid_;
};

}  // namespace scorelab
