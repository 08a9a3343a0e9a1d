#include "sample/draw_samples.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "config/choices.h"
#include "methods/method.h"
#include "sample/langevin_sampler.h"

namespace scorelab {

std::string resolve_sampler(const Method& method, const std::string& sampler) {
  if (sampler != "auto") return sampler;
  return method.has_generator() ? "onestep" : "annealed";
}

void check_sampler(const Method& method, const std::string& requested) {
  const auto& kinds = sampler_kinds();
  if (std::find(kinds.begin(), kinds.end(), requested) == kinds.end()) {
    std::string known;
    for (const auto& k : kinds) known += (known.empty() ? "" : ", ") + k;
    throw ConfigError("sampler \"" + requested + "\" is not one of " + known);
  }
  check_sampler_fits(method.traits(), resolve_sampler(method, requested));
}

int64_t langevin_chunk_rows(int64_t n, int64_t dim, torch::Device device) {
  // On the CPU a 10000-image batch runs several times slower per image than 1000-image chunks
  // (the activations leave the caches); a GPU wants the whole batch.
  constexpr int64_t kCpuChunkElements = int64_t{1} << 20;
  if (!device.is_cpu()) return std::max<int64_t>(n, 1);
  return std::max<int64_t>(1, std::min(n, kCpuChunkElements / std::max<int64_t>(dim, 1)));
}

int64_t generate_chunk_rows(int64_t n, int64_t dim, torch::Device device) {
  // A generator's activations are a few dozen times its output: 2^22 output values (16 MB) a
  // chunk on the CPU, 2^24 on a GPU, keep them in the hundreds of MB.
  const int64_t elements = device.is_cpu() ? int64_t{1} << 22 : int64_t{1} << 24;
  return std::max<int64_t>(1, std::min(n, elements / std::max<int64_t>(dim, 1)));
}

SampleResult draw_langevin_samples(const ScoreFn& score, const SamplerConfig& config,
                                   const std::string& sampler, int64_t n, int64_t dim,
                                   uint64_t seed, torch::Device device,
                                   const std::function<void()>& between_steps) {
  if (sampler != "annealed" && sampler != "langevin") {
    throw ConfigError("sampler \"" + sampler + "\" is not a Langevin sampler (annealed, langevin)");
  }
  torch::NoGradGuard no_grad;
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t rows = langevin_chunk_rows(n, dim, device);
  std::vector<torch::Tensor> parts;
  SampleResult r;
  for (int64_t first = 0, chunk = 0; first < n; first += rows, ++chunk) {
    // Chunk 0 keeps the caller's seed, so a call that fits in one chunk is unchanged.
    LangevinSampler s(score, langevin_options(config, sampler == "annealed"),
                      std::min(rows, n - first), dim, seed + 7919 * static_cast<uint64_t>(chunk),
                      device);
    s.run(between_steps);
    parts.push_back(s.result().to(torch::kCPU));
    r.nfe = s.nfe();
  }
  r.samples = parts.size() == 1 ? parts.front() : torch::cat(parts);
  r.seconds = seconds_since(t0);
  return r;
}

SampleResult draw_samples(Method& method, const SamplerConfig& config, const std::string& requested,
                          int64_t n, int64_t dim, uint64_t seed, torch::Device device,
                          const std::function<void()>& between_steps) {
  check_sampler(method, requested);
  const std::string sampler = resolve_sampler(method, requested);
  if (sampler != "onestep") {
    return draw_langevin_samples(learned_score(method), config, sampler, n, dim, seed, device,
                                 between_steps);
  }
  torch::NoGradGuard no_grad;
  const auto t0 = std::chrono::steady_clock::now();
  SampleResult r;
  // In bounded chunks: 2000 evaluation images of 100x100 through a generator in one batch would
  // ask for gigabytes at once.
  const int64_t rows = generate_chunk_rows(n, dim, device);
  std::vector<torch::Tensor> parts;
  for (int64_t first = 0, chunk = 0; first < n; first += rows, ++chunk) {
    parts.push_back(method
                        .generate(std::min(rows, n - first),
                                  Rng(seed + 7919 * static_cast<uint64_t>(chunk), device))
                        .to(torch::kCPU));
  }
  r.samples = parts.size() == 1 ? parts.front() : torch::cat(parts);
  r.nfe = 1;
  r.seconds = seconds_since(t0);
  return r;
}

}  // namespace scorelab
