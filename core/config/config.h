#pragma once
// Typed settings, one struct per concern, with in-class defaults. What each field means, its range
// and whether it can change live are written once, in config_schema.h (`scorelab-cli settings`
// prints them); JSON round trip, validation, `--set`, the app's controls and scripts all read
// that one declaration.
#include <cstdint>
#include <string>
#include <vector>

namespace scorelab {

struct DataConfig {
  std::string name = "swissroll";
  std::string path;
  bool pad32 = false;
  int64_t limit = 0;
  bool standardize = false;       // points: (x − mean) / std per coordinate
  int64_t image_size = 32;        // image-folder: side of the square the images are cropped to
  std::string channels = "auto";  // image-folder: auto | gray | rgb
};

struct ModelConfig {
  int64_t hidden = 128;
  int64_t layers = 3;
  int64_t fourier_features = 16;
  double sigma_fourier_scale = 2.0;
  double sigma_data = 0.0;
  double alpha_fourier_scale = 16;
  int64_t z_dim = 2;
  int64_t gen_hidden = 128;
  int64_t gen_layers = 2;
  double gen_leak = 0.2;
  int64_t disc_hidden = 128;
  int64_t disc_layers = 3;

  // Image data (the U-Net score model and a convolutional generator).
  int64_t unet_base = 32;
  int64_t unet_levels = 3;
  int64_t unet_blocks = 1;
  bool unet_attention = false;
  double dropout = 0.0;
  std::string generator = "auto";
  int64_t gen_width = 32;
};

struct NoiseConfig {
  std::string schedule = "karras";
  double sigma_min = 0.01;
  double sigma_max = 5.0;
  double rho = 7.0;
  int64_t levels = 1000;
  double lognormal_mean = -1.2;
  double lognormal_std = 1.2;
};

struct OptimConfig {
  double lr_score = 1e-3;
  double lr_gen = 1e-4;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double weight_decay = 0.01;
  double grad_clip = 10.0;
  double ema = 0.999;
  double ema_gen = 0.999;
  int64_t batch = 256;
  int64_t gen_batch = 0;
  int64_t lr_warmup = 0;
  std::string lr_decay_gen = "none";
  std::string lr_decay_score = "none";
  int64_t lr_decay_steps = 0;
};

struct MethodConfig {
  std::string name = "dsm";
  int64_t score_steps = 5;

  std::string alpha_sampler = "grid";
  int64_t alpha_grid = 1001;
  double alpha_zero_frac = 0.25;
  double alpha_point_prob = 0.5;
  std::vector<double> alpha_fixed = {0, 0.5, 1};
  double alpha_beta_a = 1.0;
  double alpha_beta_b = 1.0;

  double gen_sigma_lo = 0.02;
  double gen_sigma_hi = 0.98;
  bool adaptive_weight = true;
  std::string dmd_weight = "sample";
  double gan_mu = 0.0;
  double gan_lambda = 0.0;
  int64_t pretrain_steps = 0;
  bool direction_dropout = false;

  std::string teacher;
  int64_t teacher_steps = 3000;

  int64_t smm_steps = 10;
  double smm_beta_min = 1e-4;
  double smm_beta_max = 0.02;
  bool smm_duplicate = true;
  int64_t smm_variant = 1;
  double smm_r1 = 0.0;
};

struct SamplerConfig {
  std::string kind = "auto";
  int64_t levels = 10;
  int64_t steps_per_level = 100;
  double sigma_max = 5.0;
  double sigma_min = 0.01;
  double eps = 2e-5;
  std::string init = "gaussian";
  double init_box = 8.0;
  bool denoise_last = true;
};

struct RunConfig {
  int64_t seed = 0;
  std::string device = "auto";
  int64_t threads = 1;
  std::string precision = "fp32";
  std::string cuda_graph = "auto";
  bool fast_mlp = true;
  int64_t steps = 0;
  double seconds = 0;
  int64_t log_every = 10;
  int64_t csv_every = 100;
  int64_t eval_every = 2000;
  int64_t eval_samples = 2000;
  int64_t checkpoint_every = 0;
  double snapshot_hz = 20;
  std::string backend = "auto";  // data-parallel runs: auto | gloo | nccl
  double dist_timeout = 600;     // seconds a rank waits for the others
};

struct Config {
  std::string description;
  DataConfig data;
  ModelConfig model;
  NoiseConfig noise;
  OptimConfig optim;
  MethodConfig method;
  SamplerConfig sampler;
  RunConfig run;
};

}  // namespace scorelab
