#pragma once
// Seeded random numbers for one owner (a Trainer, a sampler, a test). On the CPU every draw
// comes from this object's own generator, so runs are reproducible and threads never share
// state; on CUDA draws use the device's default generator, seeded once from the same seed.
#include <torch/types.h>

#include <cstdint>

namespace scorelab {

class Rng {
 public:
  Rng(uint64_t seed, torch::Device device);

  torch::Tensor randn(at::IntArrayRef size) const;
  torch::Tensor rand(at::IntArrayRef size) const;
  // Integers uniform in [0, high).
  torch::Tensor randint(int64_t high, at::IntArrayRef size) const;
  // Gamma(concentration, 1) draws, one per element of `concentration`.
  torch::Tensor gamma(const torch::Tensor& concentration) const;
  // n draws of category indices with the given (unnormalised) weights.
  torch::Tensor multinomial(const torch::Tensor& weights, int64_t n) const;

  torch::Device device() const { return device_; }
  uint64_t seed() const { return seed_; }

  // The CPU generator's state (a byte tensor) for checkpoints; restoring it resumes the stream.
  torch::Tensor state() const;
  void set_state(const torch::Tensor& state);

 private:
  c10::optional<at::Generator> gen() const;
  uint64_t seed_;
  torch::Device device_;
  mutable at::Generator cpu_gen_;  // a shared handle; drawing mutates it
};

}  // namespace scorelab
