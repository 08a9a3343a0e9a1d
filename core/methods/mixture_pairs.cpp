#include "methods/mixture_pairs.h"

#include "common/rng.h"
#include "methods/weighted_mse.h"

namespace scorelab {

PairNoise draw_pair_noise(int64_t pairs, int64_t dim, const SigmaSampler& sigmas,
                          const AlphaSampler& alphas, const Rng& rng) {
  PairNoise n;
  n.eps_f = rng.randn({pairs, dim});
  n.eps_r = rng.randn({pairs, dim});
  n.alpha = alphas.score_alphas(pairs, rng);
  n.sigma = sigmas.sample(pairs, rng);
  return n;
}

MixturePairs make_mixture_pairs(const torch::Tensor& x_r, const torch::Tensor& x_f,
                                const PairNoise& noise, double sigma_data) {
  MixturePairs p;
  p.pairs = x_r.size(0);
  p.x = torch::cat({x_r, x_f});
  p.sigma = torch::cat({noise.sigma, noise.sigma});
  p.alpha = torch::cat({noise.alpha, noise.alpha});
  p.x_t = torch::addcmul(p.x, p.sigma, torch::cat({noise.eps_r, noise.eps_f}));
  auto lambda = p.sigma.square().reciprocal() + 1.0 / (sigma_data * sigma_data);
  p.weight = torch::cat({noise.alpha, 1.0 - noise.alpha}) * lambda;
  return p;
}

torch::Tensor MixturePairs::loss(const torch::Tensor& denoised) const {
  return weighted_row_mse(denoised, x, weight, 1.0 / static_cast<double>(pairs));
}

}  // namespace scorelab
