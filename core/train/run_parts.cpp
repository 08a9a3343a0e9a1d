#include "train/run_parts.h"

#include "common/device.h"
#include "common/error.h"
#include "sample/draw_samples.h"
#include "settings/settings.h"
#include "train/checkpoint.h"
#include "train/device_choice.h"
#include "train/evaluator.h"
#include "train/snapshot.h"
#include "train/step_runner.h"

namespace scorelab {

namespace {

// SMD's teacher: the DSM score network of the checkpoint at method.teacher, which must be of the
// same data set and score-model shape (generator and discriminator settings are SMD's own).
std::shared_ptr<const NetworkState> read_teacher(const Config& config) {
  const std::string& path = config.method.teacher;
  Checkpoint ck;
  try {
    ck = read_checkpoint(path);
  } catch (const std::exception& e) {
    throw ConfigError(std::string("method.teacher: ") + e.what());
  }
  const Config& tc = ck.config;
  if (ck.method != "dsm" && ck.method != "smd") {
    throw ConfigError("method.teacher " + path + " is a checkpoint of method " + ck.method +
                      "; SMD distils a DSM score network (train one with method.name=dsm)");
  }
  if (tc.data.name != config.data.name) {
    throw ConfigError("method.teacher " + path + " was trained on " + tc.data.name +
                      ", this run uses " + config.data.name);
  }
  for (const auto& key : changed_keys(tc, config)) {
    if (key.rfind("model.", 0) == 0 && key.rfind("model.gen", 0) == std::string::npos &&
        key.find("disc_") == std::string::npos && key != "model.z_dim" &&
        key != "model.alpha_fourier_scale") {
      throw ConfigError("method.teacher " + path + ": its " + key +
                        " differs from this run's; the fake score copies the teacher's shape");
    }
  }
  for (auto& n : ck.networks) {
    if (n.name == "score" || n.name == "teacher") {
      return std::make_shared<const NetworkState>(std::move(n));
    }
  }
  throw CheckpointError(path + ": holds no DSM score network to distil");
}

}  // namespace

RunParts build_run(const Config& config) {
  validate(config);
  RunParts r;
  r.config = config;
  const DeviceChoice where = choose_device(config);
  r.device = where.device;
  r.device_reason = where.reason;
  if (config.run.cuda_graph == "on" && (!r.device.is_cuda() || !cuda_graphs_available())) {
    throw ConfigError(std::string("run.cuda_graph = \"on\" needs a CUDA device and a CUDA build of "
                                  "libtorch (this run: ") +
                      describe_device(r.device) +
                      (cuda_graphs_available() ? "" : ", libtorch without CUDA") +
                      "); use auto or off");
  }
  r.data = make_dataset(config.data, r.device);
  r.rng = std::make_unique<Rng>(static_cast<uint64_t>(config.run.seed), r.device);
  MethodContext ctx;
  ctx.config = config;
  ctx.device = r.device;
  ctx.data = r.data.get();
  ctx.rng = r.rng.get();
  ctx.sigma_data =
      config.model.sigma_data > 0 ? config.model.sigma_data : measure_sigma_data(*r.data);
  r.sigma_data = ctx.sigma_data;
  if (config.method.name == "smd" && !config.method.teacher.empty())
    ctx.teacher = read_teacher(config);
  r.method = make_method(ctx);
  check_sampler(*r.method, config.sampler.kind);
  return r;
}

RunParts load_run(const std::string& path, const std::string& device_override,
                  const std::vector<std::string>& settings) {
  Checkpoint ck = read_checkpoint(path);
  Config c = ck.config;
  if (!settings.empty()) c = apply_settings(c, settings);
  const auto structural = reset_keys(ck.config, c);
  if (!structural.empty()) {
    throw ConfigError("--set " + structural.front() +
                      ": cannot change this setting of a trained "
                      "checkpoint (it shapes the model or its data)");
  }
  if (!device_override.empty()) c.run.device = device_override;
  RunParts r = build_run(c);
  restore_run(ck, r);
  return r;
}

Run open_run(const Config& config, const std::string& run_dir, int64_t continue_at) {
  Run r;
  static_cast<RunParts&>(r) = build_run(config);
  if (!run_dir.empty()) {
    r.dir.emplace(run_dir, r.method->loss_names(),
                  Evaluator::metric_names_for(*r.data, config.run.eval_samples), continue_at);
    r.dir->write_config(config);
  }
  if (r.data->mixture()) r.mixture = std::make_shared<const GaussianMixture>(*r.data->mixture());
  torch::NoGradGuard no_grad;
  Rng ref_rng(static_cast<uint64_t>(config.run.seed) + 1000003, torch::kCPU);
  // A small finite set is its own reference: exact scores are then its empirical mixture's.
  auto all = r.data->all_points();
  r.real_reference = all.defined() && all.size(0) <= 5000
                         ? all
                         : r.data->sample(r.data->is_image() ? 64 : 5000, ref_rng).to(torch::kCPU);
  return r;
}

void Run::publish_into(Snapshot& s) const {
  s.config = config;
  s.data_description = data->description();
  s.data_notice = data->notice();
  const auto all = data->all_points();
  if (all.defined() && all.size(0) < config.optim.batch) {
    s.data_notice += std::string(s.data_notice.empty() ? "" : "; ") + "the data has " +
                     std::to_string(all.size(0)) + " points, fewer than a batch of " +
                     std::to_string(config.optim.batch) + ": batches repeat points (drawn " +
                     "with replacement)";
  }
  s.method = method->name();
  s.device = describe_device(device);
  s.device_reason = device_reason;
  s.loss_names = method->loss_names();
  s.score_models = method->score_models();
  s.data_score_model = method->data_score_model();
  s.mixture_score_model = method->traits().mixture_score_model;
  s.has_generator = method->has_generator();
  s.phase = method->phase();
  s.mixture = mixture;
  s.real_reference = real_reference;
  s.image_shape = data->image_shape();
}

void restore_run(const Checkpoint& ck, RunParts& r) {
  restore_checkpoint(ck, *r.method);
  if (ck.rng_state.defined() && r.device.is_cpu()) r.rng->set_state(ck.rng_state);
  r.step = ck.step;
  r.train_seconds = ck.train_seconds;
}

}  // namespace scorelab
