#pragma once
// The 2D toy data sets, seeded through the caller's Rng. Conventions (methods.md §6):
//   swissroll     t ~ U(1.5π, 4.5π), (t cos t, t sin t) + 0.25·N(0, I), all divided by 7.5
//   gauss8        8 equal-weight Gaussians on a ring of radius 2, std 0.05
//   gauss25       25 equal-weight Gaussians at 2·{−2..2}², std 0.05
//   twomodes      1/5·N((5,5), I) + 4/5·N((−5,−5), I)   (the DSM poster's mixing experiment)
//   circle        uniform angle on the circle of radius 1.5, + 0.05·N(0, I)
//   moons         two interleaved half circles of radius 1, + 0.05·N(0, I), centred
//   checkerboard  uniform on the 8 dark squares of a 4×4 board over [−2, 2]²
#include <torch/types.h>

#include <memory>
#include <optional>
#include <string>

#include "data/gaussian_mixture.h"

namespace scorelab {

class Rng;

class ToyDataset {
 public:
  virtual ~ToyDataset() = default;
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  // n samples [n, 2], float32 on rng's device.
  virtual torch::Tensor sample(int64_t n, const Rng& rng) const = 0;
  // The exact density when the set is a Gaussian mixture; nullptr otherwise.
  virtual const GaussianMixture* mixture() const { return nullptr; }
  int64_t dim() const { return 2; }
};

// Throws ConfigError for an unknown name.
std::unique_ptr<ToyDataset> make_toy_dataset(const std::string& name);

// The mixtures behind gauss8, gauss25 and twomodes (exact weights, means, variances).
GaussianMixture gauss8_mixture();
GaussianMixture gauss25_mixture();
GaussianMixture twomodes_mixture();

// The data set's standard deviation (root of the mean per-coordinate variance), from 20k
// samples of a fixed seed: EDM's σ_data when the config leaves it at 0.
double measure_sigma_data(const ToyDataset& data);

}  // namespace scorelab
