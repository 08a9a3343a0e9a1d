#pragma once
// Builds the networks every method uses from the run's config — MLPs for 2-D points, a U-Net and
// a convolutional generator for images — seeded so the initial weights depend on the run's seed
// and the network's role only, and moved to the run's device.
#include "methods/method.h"
#include "models/networks.h"

namespace scorelab {

// What distinguishes one score network from another within a method.
struct ScoreNetRole {
  uint64_t seed_offset = 0;
  bool alpha_conditioned = false;
  bool disc_head = false;
  int64_t in_dim = 0;  // 0 = the data dimension (SMM's two-input variants read 2·dim)
};

ScoreNet make_score_net(const MethodContext& context, const ScoreNetRole& role);
// model.generator: mlp (points), conv or unet (images); throws ConfigError for a mismatch.
GeneratorNet make_generator(const MethodContext& context, uint64_t seed_offset);
DiscriminatorNet make_discriminator(const MethodContext& context, bool sigma_conditioned,
                                    uint64_t seed_offset);

// The generator kind model.generator resolves to for the run's data ("mlp", "conv", "unet").
std::string generator_kind(const MethodContext& context);

}  // namespace scorelab
