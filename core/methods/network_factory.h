#pragma once
// Builds the networks every method uses from the run's config, seeded so the initial weights
// depend on the run's seed and the network's role only, and moved to the run's device.
#include "methods/method.h"
#include "models/generator_mlp.h"
#include "models/score_mlp.h"

namespace scorelab {

// What distinguishes one score network from another within a method.
struct ScoreNetRole {
  uint64_t seed_offset = 0;
  bool alpha_conditioned = false;
  bool disc_head = false;
  int64_t in_dim = 0;  // 0 = the data dimension
};

ScoreMLP make_score_mlp(const MethodContext& context, const ScoreNetRole& role);
GeneratorMLP make_generator(const MethodContext& context, uint64_t seed_offset);
DiscriminatorMLP make_discriminator(const MethodContext& context, bool sigma_conditioned,
                                    uint64_t seed_offset);

}  // namespace scorelab
