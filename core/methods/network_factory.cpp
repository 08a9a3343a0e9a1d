#include "methods/network_factory.h"

#include "common/error.h"
#include "common/rng.h"
#include "data/dataset.h"
#include "models/generator_conv.h"
#include "models/generator_denoiser.h"
#include "models/generator_mlp.h"
#include "models/score_mlp.h"
#include "models/unet.h"
#include "models/unet_roles.h"

namespace scorelab {

namespace {
// Initialise on the CPU from a generator of its own, so weights depend on the seed only.
Rng init_rng(const MethodContext& ctx, uint64_t seed_offset) {
  return Rng(static_cast<uint64_t>(ctx.config.run.seed) * 7919 + 17 + seed_offset, torch::kCPU);
}

template <class Net>
Net on_device(Net net, const MethodContext& ctx) {
  net->to(ctx.device);
  return net;
}

// The σ (and α) conditioning the score networks share, U-Net or MLP, from model.*.
template <class Options>
void set_conditioning(Options& o, const MethodContext& ctx) {
  const ModelConfig& m = ctx.config.model;
  o.fourier_features = m.fourier_features;
  o.sigma_fourier_scale = m.sigma_fourier_scale;
  o.sigma_data = ctx.sigma_data;
  o.alpha_fourier_scale = m.alpha_fourier_scale;
}

UNetOptions unet_options(const MethodContext& ctx) {
  const ModelConfig& m = ctx.config.model;
  const ImageShape shape = ctx.data->image_shape();
  if (shape.height != shape.width) {
    throw ConfigError("the U-Net needs square images, got " + std::to_string(shape.height) + "x" +
                      std::to_string(shape.width));
  }
  UNetOptions o;
  o.channels = shape.channels;
  o.size = shape.height;
  o.base = m.unet_base;
  o.mults.assign(static_cast<size_t>(m.unet_levels), 2);
  o.mults[0] = 1;
  o.blocks = m.unet_blocks;
  o.attention = m.unet_attention;
  o.dropout = m.dropout;
  set_conditioning(o, ctx);
  return o;
}

ScoreMLPOptions score_mlp_options(const MethodContext& ctx) {
  const ModelConfig& m = ctx.config.model;
  ScoreMLPOptions o;
  o.dim = ctx.data->dim();
  o.hidden = m.hidden;
  o.layers = m.layers;
  set_conditioning(o, ctx);
  o.fused = ctx.config.run.fast_mlp;
  return o;
}
}  // namespace

ScoreNet make_score_net(const MethodContext& ctx, const ScoreNetRole& role) {
  const Rng rng = init_rng(ctx, role.seed_offset);
  if (ctx.data->is_image()) {
    UNetOptions o = unet_options(ctx);
    o.alpha_conditioned = role.alpha_conditioned;
    o.disc_head = role.disc_head;
    if (role.in_dim > 0) o.in_channels = role.in_dim / (o.size * o.size);
    return on_device(UNet(o, rng), ctx).ptr();
  }
  ScoreMLPOptions o = score_mlp_options(ctx);
  o.in_dim = role.in_dim;
  o.alpha_conditioned = role.alpha_conditioned;
  o.disc_head = role.disc_head;
  return on_device(ScoreMLP(o, rng), ctx).ptr();
}

std::string generator_kind(const MethodContext& ctx) {
  const std::string& g = ctx.config.model.generator;
  const bool image = ctx.data->is_image();
  if (g == "auto") return image ? "conv" : "mlp";
  const bool point_kind = g == "mlp" || g == "denoiser";
  if (image == point_kind) {
    throw ConfigError(
        "model.generator = " + g + " does not fit " +
        (image ? "image data (use conv or unet)" : "2-D points (use mlp or denoiser)"));
  }
  return g;
}

GeneratorNet make_generator(const MethodContext& ctx, uint64_t seed_offset) {
  const ModelConfig& m = ctx.config.model;
  const Rng rng = init_rng(ctx, seed_offset);
  const std::string kind = generator_kind(ctx);
  if ((kind == "unet" || kind == "denoiser") && m.z_dim != ctx.data->dim()) {
    throw ConfigError("model.generator = " + kind + " needs model.z_dim = " +
                      std::to_string(ctx.data->dim()) + " (it denoises sigma_max*z)");
  }
  if (kind == "unet") {
    UNetOptions o = unet_options(ctx);
    o.dropout = 0;  // the papers' generator: the score model's U-Net without dropout
    return on_device(GeneratorUNet(o, ctx.config.noise.sigma_max, rng), ctx).ptr();
  }
  if (kind == "denoiser") {
    ScoreMLPOptions o = score_mlp_options(ctx);
    o.hidden = m.gen_hidden;
    o.layers = m.gen_layers;
    o.alpha_conditioned = false;
    o.disc_head = false;
    return on_device(GeneratorDenoiser(ScoreMLP(o, rng).ptr(), ctx.config.noise.sigma_max), ctx)
        .ptr();
  }
  if (kind == "conv") {
    const ImageShape shape = ctx.data->image_shape();
    GeneratorConvOptions o;
    o.z_dim = m.z_dim;
    o.channels = shape.channels;
    o.size = shape.height;
    o.width = m.gen_width;
    if (shape.height != shape.width || shape.height % 4 != 0) {
      throw ConfigError("the conv generator needs square images with a side divisible by 4");
    }
    return on_device(GeneratorConv(o, rng), ctx).ptr();
  }
  GeneratorMLPOptions o;
  o.z_dim = m.z_dim;
  o.dim = ctx.data->dim();
  o.hidden = m.gen_hidden;
  o.layers = m.gen_layers;
  o.leak = m.gen_leak;
  o.fused = ctx.config.run.fast_mlp;
  return on_device(GeneratorMLP(o, rng), ctx).ptr();
}

DiscriminatorNet make_discriminator(const MethodContext& ctx, bool sigma_conditioned,
                                    uint64_t seed_offset) {
  const ModelConfig& m = ctx.config.model;
  const Rng rng = init_rng(ctx, seed_offset);
  if (ctx.data->is_image()) {
    return on_device(DiscriminatorUNet(unet_options(ctx), ctx.config.noise.sigma_min, rng), ctx)
        .ptr();
  }
  DiscriminatorMLPOptions o;
  o.dim = ctx.data->dim();
  o.hidden = m.disc_hidden;
  o.layers = m.disc_layers;
  o.sigma_conditioned = sigma_conditioned;
  o.fourier_features = m.fourier_features;
  o.sigma_fourier_scale = m.sigma_fourier_scale;
  o.sigma_data = ctx.sigma_data;
  o.fused = ctx.config.run.fast_mlp;
  return on_device(DiscriminatorMLP(o, rng), ctx).ptr();
}

}  // namespace scorelab
