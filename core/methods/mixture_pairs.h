#pragma once
// Real and fake samples paired for the mixture score losses of SMT (Eq. 5) and SMD (Eq. 14):
// pair i shares σ_i and α_i, and the pairs are stacked [real; fake] so that one network pass
// serves both halves.
#include <torch/torch.h>

#include "noise/alpha_sampler.h"
#include "noise/sigma_schedules.h"

namespace scorelab {

class Rng;

// σ, α ([B, 1]) and the noises ε_r, ε_f ([B, d]) of B pairs.
struct PairNoise {
  torch::Tensor sigma, alpha, eps_r, eps_f;
};

// Draws in a fixed order (ε_f, ε_r, α, σ), so runs repeat across compilers; recorded golden
// trajectories rely on it.
PairNoise draw_pair_noise(int64_t pairs, int64_t dim, const SigmaSampler& sigmas,
                          const AlphaSampler& alphas, const Rng& rng);

struct MixturePairs {
  torch::Tensor x;       // [2B, d] clean samples, real first
  torch::Tensor x_t;     // [2B, d] noised
  torch::Tensor sigma;   // [2B, 1]
  torch::Tensor alpha;   // [2B, 1]
  torch::Tensor weight;  // [2B, 1]: α·λ(σ) for real rows, (1 − α)·λ(σ) for fake rows
  int64_t pairs = 0;

  // Σ_i weight_i · mean over coordinates of (denoised_i − x_i)², divided by B.
  torch::Tensor loss(const torch::Tensor& denoised) const;
};

// λ(σ) = 1/σ² + 1/σ_data² as in the denoising loss.
MixturePairs make_mixture_pairs(const torch::Tensor& x_r, const torch::Tensor& x_f,
                                const PairNoise& noise, double sigma_data);

}  // namespace scorelab
