#pragma once
// Samples from a trained method with a named sampler: the one-step generator, annealed Langevin
// or plain Langevin on the method's learned score. Shared by the Trainer, the CLI and benchmarks.
#include <string>

#include "config/config.h"
#include "sample/requests.h"
#include "sample/score_fn.h"

namespace scorelab {

class Method;

// Throws ConfigError for an unknown sampler or "onestep" on a method without a generator.
// between_steps: called before each Langevin step (see LangevinSampler::run).
SampleResult draw_samples(Method& method, const SamplerConfig& sampler_config,
                          const std::string& sampler, int64_t n, int64_t dim, uint64_t seed,
                          torch::Device device, const std::function<void()>& between_steps = {});

// Annealed ("annealed") or plain ("langevin") Langevin with any score, e.g. an exact one. On the
// CPU many particles run in chunks of langevin_chunk_rows (chunk i seeded seed + 7919·i).
SampleResult draw_langevin_samples(const ScoreFn& score, const SamplerConfig& sampler_config,
                                   const std::string& sampler, int64_t n, int64_t dim,
                                   uint64_t seed, torch::Device device,
                                   const std::function<void()>& between_steps = {});

// The rows a one-step draw generates at a time (chunk i seeded seed + 7919·i): bounded memory
// for large images; one chunk for the usual sizes.
int64_t generate_chunk_rows(int64_t n, int64_t dim, torch::Device device);

// Particles per Langevin chunk: about 2^20 numbers on the CPU, all n on a GPU.
int64_t langevin_chunk_rows(int64_t n, int64_t dim, torch::Device device);

// "auto" → "onestep" for a method with a generator, else "annealed"; other names unchanged.
std::string resolve_sampler(const Method& method, const std::string& sampler);

// Throws ConfigError when `sampler` cannot be used with `method`.
void check_sampler(const Method& method, const std::string& sampler);

}  // namespace scorelab
