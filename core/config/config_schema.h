#pragma once
// The one declaration of every setting: key, range or choices, whether a change applies live
// (Live::yes) or needs a reset of the run (Live::reset), and its meaning. A Visitor provides
//   number(key, double&, Range, Live, doc)      integer(key, int64_t&, Range, Live, doc)
//   flag(key, bool&, Live, doc)                 choice(key, std::string&, options, Live, doc)
//   text(key, std::string&, doc)                section(key, body)
//   numbers(key, std::vector<double>&, Range, Live, doc)   (a list; every element in Range)
#include <string>
#include <vector>

#include "config/config.h"

namespace scorelab {

struct Range {
  double lo, hi;
  bool lo_open = false;  // lo itself excluded
  bool hi_open = false;
};

enum class Live { yes, reset };

inline const std::vector<std::string>& toy_dataset_names() {
  static const std::vector<std::string> names = {"swissroll", "gauss8", "gauss25",     "twomodes",
                                                 "circle",    "moons",  "checkerboard"};
  return names;
}

inline const std::vector<std::string>& image_dataset_names() {
  static const std::vector<std::string> names = {"fashion-mnist", "mnist-idx", "cifar10"};
  return names;
}

// Every data.name: the toy sets, then the image sets.
inline const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = [] {
    auto all = toy_dataset_names();
    all.insert(all.end(), image_dataset_names().begin(), image_dataset_names().end());
    return all;
  }();
  return names;
}

inline const std::vector<std::string>& method_names() {
  static const std::vector<std::string> names = {"dsm", "smt", "smd", "smm", "gan"};
  return names;
}

template <class V>
void describe(DataConfig& c, V& v) {
  v.choice("name", c.name, dataset_names(), Live::reset, "toy or image data set");
  v.text("path", c.path, "image data: IDX file (mnist-idx) or folder (cifar10, fashion-mnist)");
  v.flag("pad32", c.pad32, Live::reset, "pad 28x28 images to 32x32");
  v.integer("limit", c.limit, {0, 1e9}, Live::reset, "keep the first N training images, 0 = all");
}

template <class V>
void describe(ModelConfig& c, V& v) {
  v.integer("hidden", c.hidden, {1, 4096}, Live::reset, "width of each hidden layer");
  v.integer("layers", c.layers, {1, 16}, Live::reset, "number of hidden layers");
  v.integer("fourier_features", c.fourier_features, {1, 256}, Live::reset,
            "Fourier frequencies of the sigma embedding");
  v.number("sigma_fourier_scale", c.sigma_fourier_scale, {0, 100, true}, Live::reset,
           "std of the sigma embedding's random frequencies");
  v.number("sigma_data", c.sigma_data, {0, 1e4}, Live::reset,
           "EDM sigma_data; 0 = measured from the data");
  v.number("alpha_fourier_scale", c.alpha_fourier_scale, {0, 1000, true}, Live::reset,
           "std of the alpha embedding's random frequencies");
  v.integer("z_dim", c.z_dim, {1, 4096}, Live::reset, "generator latent dimension");
  v.integer("gen_hidden", c.gen_hidden, {1, 4096}, Live::reset, "generator width");
  v.integer("gen_layers", c.gen_layers, {1, 16}, Live::reset, "generator hidden layers");
  v.integer("disc_hidden", c.disc_hidden, {1, 4096}, Live::reset, "discriminator width");
  v.integer("disc_layers", c.disc_layers, {1, 16}, Live::reset, "discriminator hidden layers");
  v.integer("unet_base", c.unet_base, {1, 1024}, Live::reset, "U-Net channels at full resolution");
  v.integer("unet_levels", c.unet_levels, {1, 5}, Live::reset, "U-Net resolutions");
  v.integer("unet_blocks", c.unet_blocks, {1, 8}, Live::reset, "U-Net residual blocks per level");
  v.flag("unet_attention", c.unet_attention, Live::reset,
         "U-Net self-attention at the lowest resolution");
  v.number("dropout", c.dropout, {0, 1, false, true}, Live::reset, "U-Net dropout");
  v.choice("generator", c.generator, {"auto", "mlp", "conv", "unet"}, Live::reset,
           "generator: auto = mlp for points, conv for images; unet = U-Net fed sigma_max*z");
  v.integer("gen_width", c.gen_width, {1, 4096}, Live::reset, "conv generator width");
}

template <class V>
void describe(NoiseConfig& c, V& v) {
  v.choice("schedule", c.schedule, {"karras", "lognormal", "geometric"}, Live::yes,
           "how training draws sigma");
  v.number("sigma_min", c.sigma_min, {0, 1e4, true}, Live::yes, "smallest training sigma");
  v.number("sigma_max", c.sigma_max, {0, 1e4, true}, Live::yes, "largest training sigma");
  v.number("rho", c.rho, {0, 100, true}, Live::yes, "Karras grid curvature");
  v.integer("levels", c.levels, {2, 100000}, Live::yes, "number of grid / ladder levels");
  v.number("lognormal_mean", c.lognormal_mean, {-20, 20}, Live::yes, "mean of ln sigma");
  v.number("lognormal_std", c.lognormal_std, {0, 20, true}, Live::yes, "std of ln sigma");
}

template <class V>
void describe(OptimConfig& c, V& v) {
  v.number("lr_score", c.lr_score, {0, 1, true}, Live::yes, "score network learning rate");
  v.number("lr_gen", c.lr_gen, {0, 1, true}, Live::yes, "generator learning rate");
  v.number("beta1", c.beta1, {0, 1, false, true}, Live::yes, "Adam beta1");
  v.number("beta2", c.beta2, {0, 1, false, true}, Live::yes, "Adam beta2");
  v.number("weight_decay", c.weight_decay, {0, 1}, Live::yes, "decoupled weight decay");
  v.number("grad_clip", c.grad_clip, {0, 1e6}, Live::yes, "gradient-norm clip, 0 = off");
  v.number("ema", c.ema, {0, 1, false, true}, Live::yes,
           "EMA decay of the evaluated weights, 0 = live weights");
  v.number("ema_gen", c.ema_gen, {0, 1, false, true}, Live::yes,
           "EMA decay of the sampling generator, 0 = live weights");
  v.integer("batch", c.batch, {1, 1 << 20}, Live::yes, "samples per update");
  v.integer("gen_batch", c.gen_batch, {0, 1 << 20}, Live::yes,
            "samples per generator update, 0 = optim.batch");
}

template <class V>
void describe(MethodConfig& c, V& v) {
  v.choice("name", c.name, method_names(), Live::reset, "training method");
  v.integer("score_steps", c.score_steps, {1, 1000}, Live::yes,
            "score (or discriminator) updates per generator update");
  v.choice("alpha_sampler", c.alpha_sampler, {"grid", "pointmass", "fixed", "beta"}, Live::yes,
           "how the mixture weight alpha is drawn");
  v.integer("alpha_grid", c.alpha_grid, {2, 1000000}, Live::yes, "alpha grid points");
  v.number("alpha_zero_frac", c.alpha_zero_frac, {0, 1, false, true}, Live::yes,
           "share of score-model draws forced to alpha = 0");
  v.number("alpha_point_prob", c.alpha_point_prob, {0, 1}, Live::yes,
           "pointmass: probability of {0, 1/2, 1}");
  v.numbers("alpha_fixed", c.alpha_fixed, {0, 1}, Live::yes,
            "fixed: the alpha values ({0, 1} = DMD-like ablation)");
  v.number("alpha_beta_a", c.alpha_beta_a, {0, 1000, true}, Live::yes, "beta sampler: a");
  v.number("alpha_beta_b", c.alpha_beta_b, {0, 1000, true}, Live::yes, "beta sampler: b");
  v.number("gen_sigma_lo", c.gen_sigma_lo, {0, 1}, Live::yes,
           "generator update: lowest sigma, as a fraction of the grid");
  v.number("gen_sigma_hi", c.gen_sigma_hi, {0, 1}, Live::yes,
           "generator update: highest sigma, as a fraction of the grid");
  v.flag("adaptive_weight", c.adaptive_weight, Live::yes,
         "SMT: adaptive weight w_alpha*w_DMD; off = DMD weight only");
  v.number("gan_mu", c.gan_mu, {0, 1000}, Live::yes, "GAN regularizer: discriminator weight mu");
  v.number("gan_lambda", c.gan_lambda, {0, 1000}, Live::yes,
           "GAN regularizer: generator weight lambda");
  v.integer("warmup_steps", c.warmup_steps, {0, 1e9}, Live::yes,
            "generator denoiser warm-up iterations");
  v.text("teacher", c.teacher, "SMD: teacher DSM checkpoint; empty = train one first");
  v.integer("teacher_steps", c.teacher_steps, {1, 1e9}, Live::reset,
            "SMD: DSM steps of the in-run teacher");
  v.integer("smm_steps", c.smm_steps, {1, 100000}, Live::yes, "SMM: diffusion steps T");
  v.number("smm_beta_min", c.smm_beta_min, {0, 1, true, true}, Live::yes, "SMM: beta_1");
  v.number("smm_beta_max", c.smm_beta_max, {0, 1, true, true}, Live::yes, "SMM: beta_T");
  v.flag("smm_duplicate", c.smm_duplicate, Live::yes, "SMM: duplicated generator loss");
  v.integer("smm_variant", c.smm_variant, {1, 3}, Live::reset,
            "SMM: 1 predict eps, 2 predict x + sigma*eps, 3 sees x and x + sigma*eps");
  v.number("smm_r1", c.smm_r1, {0, 1000}, Live::yes, "SMM: R1 penalty gamma on real inputs");
}

template <class V>
void describe(SamplerConfig& c, V& v) {
  v.choice("kind", c.kind, {"auto", "annealed", "langevin", "onestep"}, Live::yes,
           "evaluation sampler; auto = onestep for methods with a generator, else annealed");
  v.integer("levels", c.levels, {1, 10000}, Live::yes, "annealed Langevin noise levels L");
  v.integer("steps_per_level", c.steps_per_level, {1, 100000}, Live::yes, "steps T per level");
  v.number("sigma_max", c.sigma_max, {0, 1e4, true}, Live::yes, "first (largest) level sigma");
  v.number("sigma_min", c.sigma_min, {0, 1e4, true}, Live::yes, "last (smallest) level sigma");
  v.number("eps", c.eps, {0, 1e4, true}, Live::yes, "base step: level i uses eps*s_i^2/s_L^2");
  v.choice("init", c.init, {"gaussian", "uniform"}, Live::yes, "initial particles");
  v.number("init_box", c.init_box, {0, 1e4, true}, Live::yes, "half width of the uniform start");
  v.flag("denoise_last", c.denoise_last, Live::yes, "finish with one Tweedie denoising step");
}

template <class V>
void describe(RunConfig& c, V& v) {
  v.integer("seed", c.seed, {0, 9.0e15}, Live::reset, "random seed");
  v.text("device", c.device, "auto, cpu, cuda or cuda:N");
  v.integer("threads", c.threads, {1, 256}, Live::yes, "intra-op CPU threads");
  v.choice("precision", c.precision, {"fp32", "bf16"}, Live::reset,
           "bf16: training steps under CUDA bf16 autocast (CUDA only)");
  v.integer("steps", c.steps, {0, 1e12}, Live::yes, "stop after N steps, 0 = no limit");
  v.number("seconds", c.seconds, {0, 1e9}, Live::yes, "stop after S seconds, 0 = no limit");
  v.integer("log_every", c.log_every, {1, 1000000}, Live::yes, "loss readback / NaN check period");
  v.integer("csv_every", c.csv_every, {1, 1000000}, Live::yes, "metrics.csv row period");
  v.integer("eval_every", c.eval_every, {0, 1e12}, Live::yes, "metric period, 0 = never");
  v.integer("eval_samples", c.eval_samples, {16, 1000000}, Live::yes, "samples per evaluation");
  v.integer("checkpoint_every", c.checkpoint_every, {0, 1e12}, Live::yes,
            "checkpoint period, 0 = at the end only");
  v.number("snapshot_hz", c.snapshot_hz, {0, 1000, true}, Live::yes, "snapshot rate limit");
}

template <class V>
void describe(Config& c, V& v) {
  v.text("description", c.description, "one-line description");
  v.section("data", [&] { describe(c.data, v); });
  v.section("model", [&] { describe(c.model, v); });
  v.section("noise", [&] { describe(c.noise, v); });
  v.section("optim", [&] { describe(c.optim, v); });
  v.section("method", [&] { describe(c.method, v); });
  v.section("sampler", [&] { describe(c.sampler, v); });
  v.section("run", [&] { describe(c.run, v); });
}

}  // namespace scorelab
