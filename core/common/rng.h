#pragma once
// Seeded random numbers for one owner (a Trainer, a sampler, a test). On the CPU every draw
// comes from this object's own generator, so runs are reproducible and threads never share
// state; on CUDA draws use the device's default generator, seeded once from the same seed.
#include <torch/types.h>

#include <cstdint>
#include <functional>

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
  // Each rank of a data-parallel run draws from its own stream: the seed's for rank 0 (so one
  // rank equals a run without distribution), a mix of seed and rank for the others.
  static uint64_t stream_seed(uint64_t seed, int rank);
  // Restarts the stream from another seed (a rank > 0 after loading rank 0's checkpoint).
  void reseed(uint64_t seed);

  // Every draw passes through `tap` when set (it returns what the caller gets, same shape):
  // tests record the draws of one run and replay them into another.
  using Tap = std::function<torch::Tensor(torch::Tensor)>;
  void set_tap(Tap tap) { tap_ = std::move(tap); }
  uint64_t seed() const { return seed_; }

  // The CPU generator's state (a byte tensor) for checkpoints; restoring it resumes the stream.
  torch::Tensor state() const;
  void set_state(const torch::Tensor& state);

 private:
  c10::optional<at::Generator> gen() const;
  torch::Tensor tapped(torch::Tensor t) const { return tap_ ? tap_(std::move(t)) : t; }
  uint64_t seed_;
  torch::Device device_;
  mutable at::Generator cpu_gen_;  // a shared handle; drawing mutates it
  Tap tap_;
};

}  // namespace scorelab
