#include "common/rng.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <mutex>

namespace scorelab {

Rng::Rng(uint64_t seed, torch::Device device)
    : seed_(seed), device_(device), cpu_gen_(at::detail::createCPUGenerator(seed)) {
  if (device_.is_cuda()) torch::cuda::manual_seed_all(seed);
}

c10::optional<at::Generator> Rng::gen() const {
  if (device_.is_cpu()) return cpu_gen_;
  return c10::nullopt;
}

torch::Tensor Rng::randn(at::IntArrayRef size) const {
  return tapped(torch::randn(size, gen(), torch::TensorOptions().device(device_)));
}

torch::Tensor Rng::rand(at::IntArrayRef size) const {
  return tapped(torch::rand(size, gen(), torch::TensorOptions().device(device_)));
}

torch::Tensor Rng::randint(int64_t high, at::IntArrayRef size) const {
  return tapped(torch::randint(high, size, gen(),
                               torch::TensorOptions().device(device_).dtype(torch::kLong)));
}

torch::Tensor Rng::gamma(const torch::Tensor& concentration) const {
  return tapped(at::_standard_gamma(concentration.to(device_, torch::kFloat), gen()));
}

torch::Tensor Rng::multinomial(const torch::Tensor& weights, int64_t n) const {
  return tapped(
      torch::multinomial(weights.to(device_, torch::kFloat), n, /*replacement=*/true, gen()));
}

uint64_t Rng::stream_seed(uint64_t seed, int rank) {
  if (rank == 0) return seed;
  // splitmix64 of (seed, rank): neighbouring seeds and ranks give unrelated streams.
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<uint64_t>(rank) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void Rng::reseed(uint64_t seed) {
  seed_ = seed;
  {
    std::lock_guard<std::mutex> lock(cpu_gen_.mutex());
    cpu_gen_.set_current_seed(seed);
  }
  if (device_.is_cuda()) torch::cuda::manual_seed_all(seed);
}

torch::Tensor Rng::state() const {
  std::lock_guard<std::mutex> lock(cpu_gen_.mutex());
  return cpu_gen_.get_state().clone();
}

void Rng::set_state(const torch::Tensor& state) {
  std::lock_guard<std::mutex> lock(cpu_gen_.mutex());
  cpu_gen_.set_state(state);
}

}  // namespace scorelab
