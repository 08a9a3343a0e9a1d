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

namespace {

bool plain_cpu_float_input(const torch::Tensor& t) {
  return t.is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous() && !t.requires_grad();
}

// The same pairs in one pass over raw buffers: on 2-D data the ~20 libtorch ops of the general
// version cost more than the arithmetic.
MixturePairs raw_pairs(const torch::Tensor& x_r, const torch::Tensor& x_f, const PairNoise& noise,
                       double sigma_data) {
  const int64_t b = x_r.size(0), d = x_r.size(1);
  MixturePairs p;
  p.pairs = b;
  const auto opts = x_r.options();
  p.x = torch::empty({2 * b, d}, opts);
  p.x_t = torch::empty({2 * b, d}, opts);
  p.sigma = torch::empty({2 * b, 1}, opts);
  p.alpha = torch::empty({2 * b, 1}, opts);
  p.weight = torch::empty({2 * b, 1}, opts);
  const float inv_sd2 = static_cast<float>(1.0 / (sigma_data * sigma_data));
  const float* s_in = noise.sigma.data_ptr<float>();
  const float* a_in = noise.alpha.data_ptr<float>();
  float *x = p.x.data_ptr<float>(), *x_t = p.x_t.data_ptr<float>();
  float *s_out = p.sigma.data_ptr<float>(), *a_out = p.alpha.data_ptr<float>();
  float* w_out = p.weight.data_ptr<float>();
  for (int half = 0; half < 2; ++half) {
    const float* src = (half == 0 ? x_r : x_f).data_ptr<float>();
    const float* eps = (half == 0 ? noise.eps_r : noise.eps_f).data_ptr<float>();
    for (int64_t i = 0; i < b; ++i) {
      const int64_t r = half * b + i;
      const float s = s_in[i], a = a_in[i];
      for (int64_t k = 0; k < d; ++k) {
        x[r * d + k] = src[i * d + k];
        x_t[r * d + k] = src[i * d + k] + s * eps[i * d + k];
      }
      s_out[r] = s;
      a_out[r] = a;
      w_out[r] = (half == 0 ? a : 1.0f - a) * (1.0f / (s * s) + inv_sd2);
    }
  }
  return p;
}

}  // namespace

MixturePairs make_mixture_pairs(const torch::Tensor& x_r, const torch::Tensor& x_f,
                                const PairNoise& noise, double sigma_data) {
  const int64_t b = x_r.size(0);
  const bool raw = x_r.dim() == 2 && x_f.sizes() == x_r.sizes() &&
                   noise.eps_r.sizes() == x_r.sizes() && noise.eps_f.sizes() == x_r.sizes() &&
                   noise.sigma.numel() == b && noise.alpha.numel() == b &&
                   plain_cpu_float_input(x_r) && plain_cpu_float_input(x_f) &&
                   plain_cpu_float_input(noise.sigma) && plain_cpu_float_input(noise.alpha) &&
                   plain_cpu_float_input(noise.eps_r) && plain_cpu_float_input(noise.eps_f);
  if (raw) return raw_pairs(x_r, x_f, noise, sigma_data);
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
