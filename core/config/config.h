#pragma once
// Typed settings, one struct per concern, with in-class defaults. Every field's meaning, range and
// whether it can change live is declared once, in config_schema.h; JSON round trip, validation,
// `--set key=value` and (later) the app's controls all read that one declaration.
#include <cstdint>
#include <string>
#include <vector>

namespace scorelab {

struct DataConfig {
  std::string name = "swissroll";  // toy set: swissroll, gauss8, gauss25, twomodes, circle, ...
};

struct ModelConfig {
  int64_t hidden = 128;           // width of every hidden layer of the score MLP
  int64_t layers = 3;             // number of hidden layers
  int64_t fourier_features = 16;  // Fourier frequencies of the σ embedding (2× as many features)
  double sigma_fourier_scale = 2.0;  // std of the fixed Fourier frequencies for c_noise = ln(σ)/4
  double sigma_data = 0.0;           // EDM σ_data; 0 = measure the data set's std
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
  int64_t batch = 256;         // samples per update
};

struct MethodConfig {
  std::string name = "dsm";  // training method
};

struct SamplerConfig {
  std::string kind = "annealed";  // default sampler for evaluation: annealed, langevin, onestep
  int64_t levels = 10;            // annealed Langevin: number of geometric noise levels L
  int64_t steps_per_level = 100;  // T Langevin steps per level
  double sigma_max = 5.0;         // σ_1, the first (largest) level
  double sigma_min = 0.01;        // σ_L, the last level (plain Langevin runs here)
  double eps = 2e-5;              // base step ε: level i uses ε·σ_i²/σ_L² (NCSN default)
  std::string init = "gaussian";  // initial particles: gaussian N(0, σ_1²I) or uniform box
  double init_box = 8.0;          // half width of the uniform start box
  bool denoise_last = true;       // finish with one Tweedie denoising step at σ_L
};

struct RunConfig {
  int64_t seed = 0;              // seeds data, noise, initialisation
  std::string device = "auto";   // auto (CUDA if available), cpu, cuda, cuda:N
  int64_t threads = 1;           // intra-op threads; 1 leaves the other core to the UI
  int64_t steps = 0;             // stop after this many steps; 0 = no limit
  double seconds = 0;            // stop after this much training time; 0 = no limit
  int64_t log_every = 10;        // read losses back (and check for NaN) every K steps
  int64_t csv_every = 100;       // append a row to metrics.csv every N steps
  int64_t eval_every = 2000;     // evaluate sample metrics every N steps; 0 = never
  int64_t eval_samples = 2000;   // samples per in-training evaluation
  int64_t checkpoint_every = 0;  // write a checkpoint every N steps; 0 = only at the end
  double snapshot_hz = 20;       // snapshots published per second at most
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
