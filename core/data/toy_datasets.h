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

#include "data/dataset.h"
#include "data/gaussian_mixture.h"

namespace scorelab {

class Rng;

// A 2-D toy set: sample() gives points [n, 2].
class ToyDataset : public Dataset {
 public:
  int64_t dim() const override { return 2; }
};

// Each toy set (data/data_sources.cpp lists them under their data.name).
std::unique_ptr<ToyDataset> make_swissroll();
std::unique_ptr<ToyDataset> make_gauss8();
std::unique_ptr<ToyDataset> make_gauss25();
std::unique_ptr<ToyDataset> make_twomodes();
std::unique_ptr<ToyDataset> make_circle();
std::unique_ptr<ToyDataset> make_moons();
std::unique_ptr<ToyDataset> make_checkerboard();

// The mixtures behind gauss8, gauss25 and twomodes (exact weights, means, variances).
GaussianMixture gauss8_mixture();
GaussianMixture gauss25_mixture();
GaussianMixture twomodes_mixture();

}  // namespace scorelab
