#pragma once
// The one declaration of every setting: key, range or choices, whether a change applies live
// (Live::yes) or needs a reset of the run (Live::reset), and its meaning. A Visitor provides
//   number(key, double&, Range, Live, doc)      integer(key, int64_t&, Range, Live, doc)
//   flag(key, bool&, Live, doc)                 choice(key, std::string&, options, Live, doc)
//   text(key, std::string&, doc)                section(key, body)
//   numbers(key, std::vector<double>&, Range, Live, doc)   (a list; every element in Range)
//   vocabulary()  the choices of method.name and data.name (config/vocabulary.h)
#include <string>
#include <vector>

#include "config/choices.h"
#include "config/config.h"

namespace scorelab {

struct Range {
  double lo, hi;
  bool lo_open = false;  // lo itself excluded
  bool hi_open = false;
};

enum class Live { yes, reset };

template <class V>
void describe(DataConfig& c, V& v) {
  v.choice("name", c.name, v.vocabulary().datasets, Live::reset,
           "toy set (swissroll, gauss8, ...), image set (fashion-mnist, mnist-idx, cifar10), or "
           "your own file: points (CSV/TSV/.npy) or image-folder");
  v.text("path", c.path,
         "points: a CSV/TSV or .npy file; image-folder: a folder of PNG/JPEG/BMP; mnist-idx: "
         "an IDX file; cifar10, fashion-mnist: their folder (\"\" = fashion-mnist's default)");
  v.flag("pad32", c.pad32, Live::reset, "pad 28x28 images to 32x32");
  v.integer("limit", c.limit, {0, 1e9}, Live::reset, "keep the first N training images, 0 = all");
  v.flag("standardize", c.standardize, Live::reset,
         "points: subtract each coordinate's mean and divide by its std");
  v.integer("image_size", c.image_size, {8, 256}, Live::reset,
            "image-folder: images are resized and centre-cropped to this square side (28, 32)");
  v.choice("channels", c.channels, image_channel_kinds(), Live::reset,
           "image-folder: gray, rgb, or auto (gray when every image is)");
}

template <class V>
void describe(ModelConfig& c, V& v) {
  v.integer("hidden", c.hidden, {1, 4096}, Live::reset,
            "width of every hidden layer of the score MLP");
  v.integer("layers", c.layers, {1, 16}, Live::reset, "hidden layers of the score MLP");
  v.integer("fourier_features", c.fourier_features, {1, 256}, Live::reset,
            "Fourier frequencies of the sigma embedding (2x as many features)");
  v.number("sigma_fourier_scale", c.sigma_fourier_scale, {0, 100, true}, Live::reset,
           "std of the sigma embedding's fixed random frequencies (for c_noise = ln(sigma)/4)");
  v.number("sigma_data", c.sigma_data, {0, 1e4}, Live::reset,
           "EDM sigma_data; 0 = measured from the data");
  v.number("alpha_fourier_scale", c.alpha_fourier_scale, {0, 1000, true}, Live::reset,
           "std of the alpha embedding's random frequencies (the SMT paper's 16)");
  v.integer("z_dim", c.z_dim, {1, 4096}, Live::reset, "generator latent dimension");
  v.integer("gen_hidden", c.gen_hidden, {1, 4096}, Live::reset,
            "generator MLP width (the SMT toy experiments: 128)");
  v.integer("gen_layers", c.gen_layers, {1, 16}, Live::reset,
            "generator MLP hidden layers (leaky ReLU, slope gen_leak)");
  v.number("gen_leak", c.gen_leak, {0, 1}, Live::reset,
           "negative slope of the generator MLP's leaky ReLU (the SMT toy experiments: 0.2; 0 = "
           "ReLU, whose flat pieces let the generator fold space onto separate modes)");
  v.integer("disc_hidden", c.disc_hidden, {1, 4096}, Live::reset,
            "discriminator MLP width (GAN baseline, SMD's log-ratio)");
  v.integer("disc_layers", c.disc_layers, {1, 16}, Live::reset, "discriminator hidden layers");
  v.integer("unet_base", c.unet_base, {1, 1024}, Live::reset, "U-Net channels at full resolution");
  v.integer("unet_levels", c.unet_levels, {1, 5}, Live::reset,
            "U-Net resolutions (channel multipliers 1, 2, 2, 2, ...)");
  v.integer("unet_blocks", c.unet_blocks, {1, 8}, Live::reset, "U-Net residual blocks per level");
  v.flag("unet_attention", c.unet_attention, Live::reset,
         "U-Net self-attention at the lowest resolution");
  v.number("dropout", c.dropout, {0, 1, false, true}, Live::reset,
           "dropout in the U-Net's residual blocks");
  v.choice("generator", c.generator, generator_kinds(), Live::reset,
           "generator: auto = mlp for points, conv for images; denoiser (points) / unet (images) = "
           "the score model's architecture without alpha, fed sigma_max*z at sigma_max (the SMT "
           "paper's generator; method.pretrain_steps trains it as a denoiser first); "
           "denoiser uses gen_hidden x gen_layers");
  v.integer("gen_width", c.gen_width, {1, 4096}, Live::reset,
            "conv generator: channels of its last stage");
}

template <class V>
void describe(NoiseConfig& c, V& v) {
  v.choice("schedule", c.schedule, noise_schedules(), Live::yes,
           "how training draws sigma: karras grid, lognormal (EDM), geometric ladder");
  v.number("sigma_min", c.sigma_min, {0, 1e4, true}, Live::yes,
           "smallest sigma of the grid / ladder");
  v.number("sigma_max", c.sigma_max, {0, 1e4, true}, Live::yes, "largest training sigma");
  v.number("rho", c.rho, {0, 100, true}, Live::yes, "Karras grid curvature");
  v.integer("levels", c.levels, {2, 100000}, Live::yes,
            "grid size (karras) or ladder length (geometric)");
  v.number("lognormal_mean", c.lognormal_mean, {-20, 20}, Live::yes,
           "lognormal: mean of ln sigma (clipped to [sigma_min, sigma_max])");
  v.number("lognormal_std", c.lognormal_std, {0, 20, true}, Live::yes,
           "lognormal: std of ln sigma");
}

template <class V>
void describe(OptimConfig& c, V& v) {
  v.number("lr_score", c.lr_score, {0, 1, true}, Live::yes,
           "AdamW learning rate of score networks (and discriminators)");
  v.number("lr_gen", c.lr_gen, {0, 1, true}, Live::yes, "AdamW learning rate of generators");
  v.number("beta1", c.beta1, {0, 1, false, true}, Live::yes, "Adam first-moment decay");
  v.number("beta2", c.beta2, {0, 1, false, true}, Live::yes, "Adam second-moment decay");
  v.number("weight_decay", c.weight_decay, {0, 1}, Live::yes, "decoupled weight decay");
  v.number("grad_clip", c.grad_clip, {0, 1e6}, Live::yes, "gradient-norm clip, 0 = off");
  v.number("ema", c.ema, {0, 1, false, true}, Live::yes,
           "EMA decay of the weights evaluation uses, 0 = the live weights");
  v.number("ema_gen", c.ema_gen, {0, 1, false, true}, Live::yes,
           "EMA decay of the generator sampling uses, 0 = the live weights");
  v.integer("batch", c.batch, {1, 1 << 20}, Live::yes,
            "samples per score (or discriminator) update");
  v.integer("gen_batch", c.gen_batch, {0, 1 << 20}, Live::yes,
            "samples per generator update, 0 = optim.batch");
  v.integer("lr_warmup", c.lr_warmup, {0, 1e9}, Live::yes,
            "linear learning-rate warm-up over each network's first N updates, 0 = off "
            "(the SMT code: 500)");
  v.choice("lr_decay_gen", c.lr_decay_gen, lr_decay_kinds(), Live::yes,
           "generator learning-rate decay: none or cosine to 0 at lr_decay_steps updates");
  v.choice("lr_decay_score", c.lr_decay_score, lr_decay_kinds(), Live::yes,
           "score-network (and discriminator) learning-rate decay: none or cosine");
  v.integer("lr_decay_steps", c.lr_decay_steps, {0, 1e9}, Live::yes,
            "updates of each network over which cosine decay runs; 0 = run.steps (no decay "
            "when that is 0 too)");
}

template <class V>
void describe(MethodConfig& c, V& v) {
  v.choice("name", c.name, v.vocabulary().methods, Live::reset, "training method");
  v.integer("score_steps", c.score_steps, {1, 1000}, Live::yes,
            "score (or discriminator) updates per generator update");
  v.choice("alpha_sampler", c.alpha_sampler, alpha_sampler_kinds(), Live::yes,
           "SMT/SMD mixture weight alpha: grid = uniform on {0, 1/(n-1), ..., 1} with a share "
           "forced to 0; pointmass = {0, 1/2, 1} with probability alpha_point_prob, else the grid; "
           "fixed = uniform over alpha_fixed; beta = Beta(a, b). The generator update draws from "
           "the same family without 0");
  v.integer("alpha_grid", c.alpha_grid, {2, 1000000}, Live::yes, "alpha grid points n");
  v.number("alpha_zero_frac", c.alpha_zero_frac, {0, 1, false, true}, Live::yes,
           "share of score-model draws forced to alpha = 0");
  v.number("alpha_point_prob", c.alpha_point_prob, {0, 1}, Live::yes,
           "pointmass: probability of {0, 1/2, 1} (the released code: 0.5)");
  v.numbers("alpha_fixed", c.alpha_fixed, {0, 1}, Live::yes,
            "fixed: the alpha values, at least one above 0 ({0, 1} = the DMD-like ablation)");
  v.number("alpha_beta_a", c.alpha_beta_a, {0, 1000, true}, Live::yes, "beta sampler: a");
  v.number("alpha_beta_b", c.alpha_beta_b, {0, 1000, true}, Live::yes, "beta sampler: b");
  v.number("gen_sigma_lo", c.gen_sigma_lo, {0, 1}, Live::yes,
           "generator update: sigma from this fraction of the grid's indices ...");
  v.number("gen_sigma_hi", c.gen_sigma_hi, {0, 1}, Live::yes, "... to this one");
  v.flag("adaptive_weight", c.adaptive_weight, Live::yes,
         "SMT: adaptive weight w_alpha*w_DMD (Eq. 10); off = the DMD weight only");
  v.choice("dmd_weight", c.dmd_weight, dmd_weight_kinds(), Live::yes,
           "SMT/SMD: the DMD normaliser w_DMD; sample = mean|x - D_real(x_t)| of each sample (DMD, "
           "the paper); batch = sigma times the batch's mean of mean|x - D_real(x_t)|/sigma, one "
           "weight per noise level, so a sample near its mode is pulled in gently instead of "
           "getting a unit-size push");
  v.number("gan_mu", c.gan_mu, {0, 1000}, Live::yes,
           "GAN regularizer: discriminator loss weight mu (paper 1e-2), 0 = off");
  v.number("gan_lambda", c.gan_lambda, {0, 1000}, Live::yes,
           "GAN regularizer: generator loss weight lambda (paper 3e-3), 0 = off");
  v.integer("pretrain_steps", c.pretrain_steps, {0, 1e9}, Live::yes,
            "generator pretraining updates before the method starts, counted in the run's steps: "
            "a denoiser / unet generator is trained as an ordinary denoiser over all noise levels "
            "(the SMT paper's Alg. 1); an mlp / conv generator learns g(eps + x/sigma_max) = x "
            "(needs z_dim = data dimension)");
  v.flag("direction_dropout", c.direction_dropout, Live::yes,
         "SMT: keep the score model's dropout on while it evaluates the generator's direction "
         "(the released code); off = deterministic evaluations");
  v.text("teacher", c.teacher, "SMD: teacher DSM checkpoint; empty = train one first");
  v.integer("teacher_steps", c.teacher_steps, {1, 1e9}, Live::reset,
            "SMD: DSM steps of the in-run teacher when no checkpoint is given");
  v.integer("smm_steps", c.smm_steps, {1, 100000}, Live::yes,
            "SMM: diffusion steps T of the beta schedule");
  v.number("smm_beta_min", c.smm_beta_min, {0, 1, true, true}, Live::yes, "SMM: beta_1");
  v.number("smm_beta_max", c.smm_beta_max, {0, 1, true, true}, Live::yes, "SMM: beta_T");
  v.flag("smm_duplicate", c.smm_duplicate, Live::yes, "SMM: duplicated generator loss");
  v.integer("smm_variant", c.smm_variant, {1, 3}, Live::reset,
            "SMM: 1 predict eps, 2 predict x + sigma*eps, 3 sees x and x + sigma*eps");
  v.number("smm_r1", c.smm_r1, {0, 1000}, Live::yes, "SMM: R1 penalty gamma on real inputs");
}

template <class V>
void describe(SamplerConfig& c, V& v) {
  v.choice("kind", c.kind, sampler_kinds(), Live::yes,
           "evaluation sampler; auto = onestep for methods with a generator, else annealed");
  v.integer("levels", c.levels, {1, 10000}, Live::yes,
            "annealed Langevin: number of geometric noise levels L");
  v.integer("steps_per_level", c.steps_per_level, {1, 100000}, Live::yes,
            "Langevin steps T per level");
  v.number("sigma_max", c.sigma_max, {0, 1e4, true}, Live::yes, "first (largest) level sigma");
  v.number("sigma_min", c.sigma_min, {0, 1e4, true}, Live::yes,
           "last (smallest) level sigma; plain Langevin runs here");
  v.number("eps", c.eps, {0, 1e4, true}, Live::yes,
           "base step: level i uses eps*s_i^2/s_L^2 (NCSN default)");
  v.choice("init", c.init, {"gaussian", "uniform"}, Live::yes,
           "initial particles: gaussian N(0, sigma_1^2 I) or a uniform box");
  v.number("init_box", c.init_box, {0, 1e4, true}, Live::yes, "half width of the uniform start");
  v.flag("denoise_last", c.denoise_last, Live::yes, "finish with one Tweedie denoising step");
}

template <class V>
void describe(RunConfig& c, V& v) {
  v.integer("seed", c.seed, {0, 9.0e15}, Live::reset, "seeds data, noise and initialisation");
  v.text("device", c.device, "auto, cpu, cuda or cuda:N");
  v.integer("threads", c.threads, {1, 256}, Live::yes,
            "intra-op CPU threads; 1 leaves the other core to the UI");
  v.choice("precision", c.precision, {"fp32", "bf16"}, Live::reset,
           "bf16: training steps under CUDA bf16 autocast (CUDA only)");
  v.choice("cuda_graph", c.cuda_graph, {"auto", "on", "off"}, Live::yes,
           "CUDA: each training step as one captured CUDA graph; auto = when the device and "
           "libtorch allow it, off = eager steps (the reference)");
  v.flag("fast_mlp", c.fast_mlp, Live::reset,
         "MLPs through a hand-written forward/backward; off = libtorch autograd (the reference)");
  v.integer("steps", c.steps, {0, 1e12}, Live::yes, "stop after N steps, 0 = no limit");
  v.number("seconds", c.seconds, {0, 1e9}, Live::yes,
           "stop after S seconds of training, 0 = no limit");
  v.integer("log_every", c.log_every, {1, 1000000}, Live::yes,
            "read losses back (and check for NaN) every K steps");
  v.integer("csv_every", c.csv_every, {1, 1000000}, Live::yes,
            "append a row to metrics.csv every N steps");
  v.integer("eval_every", c.eval_every, {0, 1e12}, Live::yes,
            "evaluate sample metrics every N steps, 0 = never");
  v.integer("eval_samples", c.eval_samples, {16, 1000000}, Live::yes,
            "samples per in-training evaluation (image data: FID samples)");
  v.integer("checkpoint_every", c.checkpoint_every, {0, 1e12}, Live::yes,
            "checkpoint period, 0 = at the end only");
  v.number("snapshot_hz", c.snapshot_hz, {0, 1000, true}, Live::yes,
           "snapshots published per second at most");
  v.choice("backend", c.backend, {"auto", "gloo", "nccl"}, Live::yes,
           "data-parallel runs (several ranks): auto = NCCL on CUDA when built in, else Gloo");
  v.number("dist_timeout", c.dist_timeout, {1, 86400}, Live::yes,
           "data-parallel runs: seconds a rank waits for the others (longer than an evaluation) "
           "before it stops naming what it waited for");
}

template <class V>
void describe(Config& c, V& v) {
  v.text("description", c.description, "one line shown by `presets` and the app");
  v.section("data", [&] { describe(c.data, v); });
  v.section("model", [&] { describe(c.model, v); });
  v.section("noise", [&] { describe(c.noise, v); });
  v.section("optim", [&] { describe(c.optim, v); });
  v.section("method", [&] { describe(c.method, v); });
  v.section("sampler", [&] { describe(c.sampler, v); });
  v.section("run", [&] { describe(c.run, v); });
}

}  // namespace scorelab
