#include "models/fourier_embedding.h"

#include <torch/torch.h>

#include <cmath>

#include "common/rng.h"

namespace scorelab {

FourierEmbeddingImpl::FourierEmbeddingImpl(int64_t frequencies, double scale, const Rng& rng) {
  freqs_ = register_buffer("freqs", (rng.randn({1, frequencies}) * (2 * M_PI * scale)).cpu());
}

torch::Tensor FourierEmbeddingImpl::forward(const torch::Tensor& u) {
  auto phase = u * freqs_;
  return torch::cat({torch::cos(phase), torch::sin(phase)}, 1);
}

}  // namespace scorelab
