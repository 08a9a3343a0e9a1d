#pragma once
// The choice lists of settings, each written once; config_schema.h offers them (method.name's
// and data.name's come from the registries above, through config/vocabulary.h) and the code
// that acts on a choice reads them from here.
#include <string>
#include <vector>

namespace scorelab {

// data.channels for image-folder.
inline const std::vector<std::string>& image_channel_kinds() {
  static const std::vector<std::string> k = {"auto", "gray", "rgb"};
  return k;
}

// method.alpha_sampler; AlphaSampler::Kind follows this order.
inline const std::vector<std::string>& alpha_sampler_kinds() {
  static const std::vector<std::string> k = {"grid", "pointmass", "fixed", "beta"};
  return k;
}
// sampler.kind.
inline const std::vector<std::string>& sampler_kinds() {
  static const std::vector<std::string> k = {"auto", "annealed", "langevin", "onestep"};
  return k;
}
// noise.schedule.
inline const std::vector<std::string>& noise_schedules() {
  static const std::vector<std::string> k = {"karras", "lognormal", "geometric"};
  return k;
}
// optim.lr_decay_gen / lr_decay_score.
inline const std::vector<std::string>& lr_decay_kinds() {
  static const std::vector<std::string> k = {"none", "cosine"};
  return k;
}

// method.dmd_weight.
inline const std::vector<std::string>& dmd_weight_kinds() {
  static const std::vector<std::string> k = {"sample", "batch"};
  return k;
}

// model.generator.
inline const std::vector<std::string>& generator_kinds() {
  static const std::vector<std::string> k = {"auto", "mlp", "denoiser", "conv", "unet"};
  return k;
}

}  // namespace scorelab
