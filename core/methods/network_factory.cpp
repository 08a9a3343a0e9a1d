#include "methods/network_factory.h"

#include "common/rng.h"
#include "data/toy_datasets.h"

namespace scorelab {

namespace {
// Initialise on the CPU from a generator of its own, so weights depend on the seed only.
Rng init_rng(const MethodContext& ctx, uint64_t seed_offset) {
  return Rng(static_cast<uint64_t>(ctx.config.run.seed) * 7919 + 17 + seed_offset, torch::kCPU);
}
}  // namespace

ScoreMLP make_score_mlp(const MethodContext& ctx, const ScoreNetRole& role) {
  const ModelConfig& m = ctx.config.model;
  ScoreMLPOptions o;
  o.dim = ctx.data->dim();
  o.in_dim = role.in_dim;
  o.hidden = m.hidden;
  o.layers = m.layers;
  o.fourier_features = m.fourier_features;
  o.sigma_fourier_scale = m.sigma_fourier_scale;
  o.sigma_data = ctx.sigma_data;
  o.alpha_conditioned = role.alpha_conditioned;
  o.alpha_fourier_scale = m.alpha_fourier_scale;
  o.disc_head = role.disc_head;
  ScoreMLP net(o, init_rng(ctx, role.seed_offset));
  net->to(ctx.device);
  return net;
}

GeneratorMLP make_generator(const MethodContext& ctx, uint64_t seed_offset) {
  const ModelConfig& m = ctx.config.model;
  GeneratorMLPOptions o;
  o.z_dim = m.z_dim;
  o.dim = ctx.data->dim();
  o.hidden = m.gen_hidden;
  o.layers = m.gen_layers;
  GeneratorMLP net(o, init_rng(ctx, seed_offset));
  net->to(ctx.device);
  return net;
}

DiscriminatorMLP make_discriminator(const MethodContext& ctx, bool sigma_conditioned,
                                    uint64_t seed_offset) {
  const ModelConfig& m = ctx.config.model;
  DiscriminatorMLPOptions o;
  o.dim = ctx.data->dim();
  o.hidden = m.disc_hidden;
  o.layers = m.disc_layers;
  o.sigma_conditioned = sigma_conditioned;
  o.fourier_features = m.fourier_features;
  o.sigma_fourier_scale = m.sigma_fourier_scale;
  o.sigma_data = ctx.sigma_data;
  DiscriminatorMLP net(o, init_rng(ctx, seed_offset));
  net->to(ctx.device);
  return net;
}

}  // namespace scorelab
