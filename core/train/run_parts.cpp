#include "train/run_parts.h"

#include "common/device.h"
#include "common/error.h"
#include "config/config_io.h"
#include "sample/draw_samples.h"
#include "train/checkpoint.h"

namespace scorelab {

RunParts build_run(const Config& config) {
  validate(config);
  RunParts r;
  r.config = config;
  r.device = resolve_device(config.run.device);
  r.data = make_dataset(config.data, r.device);
  r.rng = std::make_unique<Rng>(static_cast<uint64_t>(config.run.seed), r.device);
  MethodContext ctx;
  ctx.config = config;
  ctx.device = r.device;
  ctx.data = r.data.get();
  ctx.rng = r.rng.get();
  ctx.sigma_data =
      config.model.sigma_data > 0 ? config.model.sigma_data : measure_sigma_data(*r.data);
  r.method = make_method(ctx);
  check_sampler(*r.method, config.sampler.kind);
  return r;
}

RunParts load_run(const std::string& path, const std::string& device_override,
                  const std::vector<std::string>& settings) {
  Checkpoint ck = read_checkpoint(path);
  Config c = ck.config;
  for (const auto& s : settings) c = apply_setting(c, s);
  const auto structural = reset_keys(ck.config, c);
  if (!structural.empty()) {
    throw ConfigError("--set " + structural.front() +
                      ": cannot change this setting of a trained "
                      "checkpoint (it shapes the model or its data)");
  }
  if (!device_override.empty()) c.run.device = device_override;
  RunParts r = build_run(c);
  restore_checkpoint(ck, *r.method);
  if (ck.rng_state.defined() && r.device.is_cpu()) r.rng->set_state(ck.rng_state);
  r.step = ck.step;
  return r;
}

}  // namespace scorelab
