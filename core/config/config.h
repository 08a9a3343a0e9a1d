#pragma once
// Typed settings, one struct per concern, with in-class defaults. Every field's meaning, range and
// whether it can change live is declared once, in config_schema.h; JSON round trip, validation,
// `--set key=value` and (later) the app's controls all read that one declaration.
#include <cstdint>
#include <string>
#include <vector>

namespace scorelab {

struct DataConfig {
  std::string name = "swissroll";  // toy set (swissroll, gauss8, ...) or image set (fashion-mnist,
                                   // mnist-idx, cifar10)
  std::string path;                // image sets: file or folder ("" = fashion-mnist's default)
  bool pad32 = false;              // pad 28x28 images to 32x32
  int64_t limit = 0;               // keep the first N training images; 0 = all
};

struct ModelConfig {
  int64_t hidden = 128;           // width of every hidden layer of the score MLP
  int64_t layers = 3;             // number of hidden layers
  int64_t fourier_features = 16;  // Fourier frequencies of the σ embedding (2× as many features)
  double sigma_fourier_scale = 2.0;  // std of the fixed Fourier frequencies for c_noise = ln(σ)/4
  double sigma_data = 0.0;           // EDM σ_data; 0 = measure the data set's std
  double alpha_fourier_scale = 16;   // std of the α embedding's frequencies (the SMT paper's 16)
  int64_t z_dim = 2;                 // generator latent dimension
  int64_t gen_hidden = 128;          // generator MLP width (the SMT toy experiments: 128)
  int64_t gen_layers = 2;            // generator hidden layers (leaky ReLU)
  int64_t disc_hidden = 128;         // discriminator MLP width (GAN baseline, SMD's ℓ)
  int64_t disc_layers = 3;           // discriminator hidden layers

  // Image data (the U-Net score model and a convolutional generator).
  int64_t unet_base = 32;          // U-Net channels at full resolution
  int64_t unet_levels = 3;         // resolutions (channel multipliers 1, 2, 2, 2, ...)
  int64_t unet_blocks = 1;         // residual blocks per resolution
  bool unet_attention = false;     // self-attention at the lowest resolution
  double dropout = 0.0;            // dropout in the U-Net's residual blocks
  std::string generator = "auto";  // auto (mlp for points, conv for images), mlp, conv, unet
  int64_t gen_width = 32;          // conv generator: channels of its last stage
};

struct NoiseConfig {
  std::string schedule = "karras";  // how training draws σ: karras grid, lognormal, geometric
  double sigma_min = 0.01;          // smallest σ of the grid / ladder
  double sigma_max = 5.0;           // largest σ
  double rho = 7.0;                 // Karras grid curvature
  int64_t levels = 1000;            // grid size (karras) or ladder length (geometric)
  double lognormal_mean = -1.2;     // EDM: ln σ ~ N(mean, std²), clipped to [σmin, σmax]
  double lognormal_std = 1.2;
};

struct OptimConfig {
  double lr_score = 1e-3;      // AdamW learning rate of score networks
  double lr_gen = 1e-4;        // AdamW learning rate of generators
  double beta1 = 0.9;          // Adam first-moment decay
  double beta2 = 0.999;        // Adam second-moment decay
  double weight_decay = 0.01;  // decoupled weight decay
  double grad_clip = 10.0;     // gradient-norm clip; 0 = off
  double ema = 0.999;          // EMA decay of the weights used for evaluation; 0 = the live weights
  double ema_gen = 0.999;      // EMA decay of the generator used for sampling; 0 = live weights
  int64_t batch = 256;         // samples per update
  int64_t gen_batch = 0;       // samples per generator update, 0 = batch
};

struct MethodConfig {
  std::string name = "dsm";  // training method: dsm, smt, smd, smm, gan
  int64_t score_steps = 5;   // score (or discriminator) updates per generator update

  // α for the SMT / SMD score model. grid: uniform on {0, 1/(n−1), …, 1} with a fraction of draws
  // forced to 0; pointmass: {0, ½, 1} with probability point_prob, else the grid; fixed: uniform
  // over alpha_fixed; beta: Beta(a, b). The generator update draws from the same family without 0.
  std::string alpha_sampler = "grid";
  int64_t alpha_grid = 1001;                      // grid points n
  double alpha_zero_frac = 0.25;                  // share of score-model draws forced to α = 0
  double alpha_point_prob = 0.5;                  // pointmass: probability of {0, ½, 1}
  std::vector<double> alpha_fixed = {0, 0.5, 1};  // fixed: the set ({0, 1} = the DMD-like ablation)
  double alpha_beta_a = 1.0;                      // beta: a
  double alpha_beta_b = 1.0;                      // beta: b

  double gen_sigma_lo = 0.02;   // generator update: σ from this fraction of the grid's indices …
  double gen_sigma_hi = 0.98;   // … to this one
  bool adaptive_weight = true;  // SMT: w_α·w_DMD (Eq. 10); false = the DMD weight only
  double gan_mu = 0.0;       // GAN regularizer: discriminator loss weight μ (paper 1e-2), 0 = off
  double gan_lambda = 0.0;   // GAN regularizer: generator loss weight λ (paper 3e-3), 0 = off
  int64_t warmup_steps = 0;  // generator denoiser warm-up iterations before the method starts

  std::string teacher;           // SMD: DSM checkpoint of the teacher; empty = train one first
  int64_t teacher_steps = 3000;  // SMD: DSM steps of the in-run teacher when no checkpoint

  int64_t smm_steps = 10;      // SMM: diffusion steps T of the β schedule
  double smm_beta_min = 1e-4;  // SMM: β_1
  double smm_beta_max = 0.02;  // SMM: β_T
  bool smm_duplicate = true;   // SMM: the duplicated generator loss (Eq. 21-22)
  int64_t smm_variant = 1;     // SMM: 1 (predict ε), 2 (predict x + σε), 3 (sees x and x + σε)
  double smm_r1 = 0.0;         // SMM: R1 penalty γ on real inputs, 0 = off
};

struct SamplerConfig {
  std::string kind = "auto";  // evaluation sampler: auto (onestep when there is a generator, else
                              // annealed), annealed, langevin, onestep
  int64_t levels = 10;        // annealed Langevin: number of geometric noise levels L
  int64_t steps_per_level = 100;  // T Langevin steps per level
  double sigma_max = 5.0;         // σ_1, the first (largest) level
  double sigma_min = 0.01;        // σ_L, the last level (plain Langevin runs here)
  double eps = 2e-5;              // base step ε: level i uses ε·σ_i²/σ_L² (NCSN default)
  std::string init = "gaussian";  // initial particles: gaussian N(0, σ_1²I) or uniform box
  double init_box = 8.0;          // half width of the uniform start box
  bool denoise_last = true;       // finish with one Tweedie denoising step at σ_L
};

struct RunConfig {
  int64_t seed = 0;                // seeds data, noise, initialisation
  std::string device = "auto";     // auto (CUDA if available), cpu, cuda, cuda:N
  int64_t threads = 1;             // intra-op threads; 1 leaves the other core to the UI
  std::string precision = "fp32";  // fp32, or bf16: training steps under CUDA bf16 autocast
  int64_t steps = 0;               // stop after this many steps; 0 = no limit
  double seconds = 0;              // stop after this much training time; 0 = no limit
  int64_t log_every = 10;          // read losses back (and check for NaN) every K steps
  int64_t csv_every = 100;         // append a row to metrics.csv every N steps
  int64_t eval_every = 2000;       // evaluate sample metrics every N steps; 0 = never
  int64_t eval_samples = 2000;     // samples per in-training evaluation (image data: FID samples)
  int64_t checkpoint_every = 0;    // write a checkpoint every N steps; 0 = only at the end
  double snapshot_hz = 20;         // snapshots published per second at most
};

struct Config {
  std::string description;  // one line shown by `presets` and the app
  DataConfig data;
  ModelConfig model;
  NoiseConfig noise;
  OptimConfig optim;
  MethodConfig method;
  SamplerConfig sampler;
  RunConfig run;
};

}  // namespace scorelab
