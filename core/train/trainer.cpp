#include "train/trainer.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>

#include "common/device.h"
#include "common/error.h"
#include "common/process_setup.h"
#include "common/rng.h"
#include "config/config_io.h"
#include "data/gaussian_mixture.h"
#include "data/image_dataset.h"
#include "methods/method.h"
#include "metrics/fid_evaluator.h"
#include "plot/image_grid.h"
#include "plot/scatter_png.h"
#include "sample/draw_samples.h"
#include "sample/langevin_sampler.h"
#include "train/checkpoint.h"
#include "train/run_directory.h"
#include "train/run_parts.h"

namespace scorelab {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

constexpr size_t kSeriesCap = 4000;  // points per curve before it is thinned by half

void push_point(Series& s, int64_t step, double value) {
  s.steps.push_back(step);
  s.values.push_back(value);
  if (s.values.size() > kSeriesCap) {
    size_t j = 0;
    for (size_t i = 0; i < s.values.size(); i += 2, ++j) {
      s.steps[j] = s.steps[i];
      s.values[j] = s.values[i];
    }
    s.steps.resize(j);
    s.values.resize(j);
  }
}

template <class T>
using Promise = std::shared_ptr<std::promise<T>>;

namespace cmd {
struct Resume {};
struct Pause {};
struct Step {
  int64_t n;
};
struct Reset {};
struct Set {
  nlohmann::json partial;
  bool allow_reset;
  Promise<std::string> done;
};
struct Replace {
  Config config;
  Promise<std::string> done;
};
struct Save {
  std::string path;
  Promise<std::string> done;
};
struct Load {
  std::string path;
  Promise<std::string> done;
};
struct Field {
  FieldRequest request;
  Promise<FieldResult> done;
};
struct Sample {
  SampleRequest request;
  Promise<SampleResult> done;
};
struct Langevin {
  LangevinRequest request;
  Promise<LangevinTrace> done;
};
struct InjectNan {};
}  // namespace cmd

using Command =
    std::variant<cmd::Resume, cmd::Pause, cmd::Step, cmd::Reset, cmd::Set, cmd::Replace, cmd::Save,
                 cmd::Load, cmd::Field, cmd::Sample, cmd::Langevin, cmd::InjectNan>;

// Copies of every network's state at the last good readback, restored after a NaN.
struct Backup {
  int64_t step = -1;
  double train_seconds = 0;
  std::vector<torch::Tensor> params, exp_avg, exp_avg_sq, ema;
  std::vector<int64_t> updates;
  torch::Tensor rng_state;
};

}  // namespace

struct Trainer::Impl {
  // ---- owned by the worker thread once it runs ----
  Config config;
  std::string run_dir_path;
  torch::Device device = torch::kCPU;
  std::unique_ptr<Dataset> data;
  std::unique_ptr<FidEvaluator> fid;  // image runs: built at the first evaluation
  std::string fid_metric, fid_floor_metric;
  torch::Tensor preview_images;
  int64_t preview_step = -1;
  Clock::time_point last_preview{};
  double preview_cost = 0;  // seconds the last preview batch took
  std::unique_ptr<Rng> rng;
  std::unique_ptr<Method> method;
  std::optional<RunDirectory> run_dir;
  torch::Tensor real_reference;  // fixed real samples for empirical exact fields
  std::vector<std::string> metric_names;

  RunState state = RunState::paused;
  int64_t step_count = 0;
  int64_t pending_steps = 0;
  double train_seconds = 0;
  double wall_seconds = 0;
  std::string error, message;

  std::vector<torch::Tensor> step_losses;  // filled by method->step
  std::vector<torch::Tensor> loss_rows;    // one [n_losses] tensor per step since the readback
  std::vector<Series> loss_series, metric_series;
  std::vector<double> csv_loss_sum;
  int64_t csv_loss_rows = 0;
  int64_t last_csv_step = -1;
  std::map<std::string, double> pending_csv_metrics;
  std::vector<NetworkRate> rates;
  std::vector<int64_t> rate_updates;
  double rate_time = 0;
  std::optional<SampleMetrics> last_eval;
  int64_t last_eval_step = -1;
  std::string eval_sampler;
  torch::Tensor eval_samples, eval_real;
  Backup backup;
  int applied_threads = 0;

  // ---- shared with callers ----
  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  std::deque<Command> queue;
  bool stopping = false;

  mutable std::mutex snap_mutex;
  mutable std::condition_variable snap_cv;
  std::shared_ptr<const Snapshot> snap;
  uint64_t snap_version = 0;
  Clock::time_point last_publish = Clock::now();

  std::thread worker;

  // ------------------------------------------------------------------ setup
  void build(const Config& c) {
    RunParts parts = build_run(c);
    std::vector<std::string> metrics;
    const bool image = parts.data->is_image();
    if (image) {
      // Named after the network FID will be computed with (the default cached one).
      const std::string net = ClassifierRecipe{}.name("fmnist-classifier");
      fid_metric = FidEvaluator::fid_metric_name(net);
      fid_floor_metric = fid_metric + "_floor";
      const ImageShape shape = parts.data->image_shape();
      if (fid_applies(shape.channels, shape.height, shape.width)) {
        metrics = {fid_metric, fid_floor_metric};
      }
    } else {
      metrics = {"sliced_w2", "sliced_w2_floor", "energy"};
      if (parts.data->mixture()) {
        metrics.insert(metrics.end(), {"high_quality_rate", "modes_covered", "nll"});
      }
    }
    std::optional<RunDirectory> dir;
    if (!run_dir_path.empty()) {
      dir.emplace(run_dir_path, parts.method->loss_names(), metrics);
      dir->write_config(c);
    }
    // Everything built: commit (a failure above leaves the previous run untouched).
    if (!data || data->name() != parts.data->name() || c.data.path != config.data.path ||
        c.data.pad32 != config.data.pad32 || c.data.limit != config.data.limit ||
        parts.device != device) {
      fid.reset();  // its reference statistics belong to the old images
    }
    config = c;
    device = parts.device;
    method.reset();
    data = std::move(parts.data);
    rng = std::move(parts.rng);
    method = std::move(parts.method);
    run_dir = std::move(dir);
    metric_names = metrics;
    {
      torch::NoGradGuard no_grad;
      Rng ref_rng(static_cast<uint64_t>(c.run.seed) + 1000003, torch::kCPU);
      real_reference = data->sample(data->is_image() ? 64 : 5000, ref_rng);
    }
    step_count = 0;
    pending_steps = 0;
    train_seconds = wall_seconds = 0;
    error.clear();
    loss_rows.clear();
    loss_series.clear();
    for (const auto& n : method->loss_names()) loss_series.push_back({n, {}, {}});
    metric_series.clear();
    for (const auto& n : metric_names) metric_series.push_back({n, {}, {}});
    csv_loss_sum.assign(loss_series.size(), 0.0);
    csv_loss_rows = 0;
    pending_csv_metrics.clear();
    rates.clear();
    rate_updates.clear();
    for (auto* net : method->networks()) {
      rates.push_back({net->name(), net->updates(), 0, 0});
      rate_updates.push_back(net->updates());
    }
    rate_time = 0;
    last_eval.reset();
    last_eval_step = -1;
    eval_samples = eval_real = torch::Tensor();
    preview_images = torch::Tensor();
    preview_step = -1;
    backup = Backup{};  // the networks' sizes may have changed
    take_backup();
    last_preview = Clock::time_point{};
    refresh_preview(true);
  }

  void apply_threads() {
    if (applied_threads != config.run.threads) {
      set_compute_threads(static_cast<int>(config.run.threads));
      applied_threads = static_cast<int>(config.run.threads);
    }
  }

  // ------------------------------------------------------------------ the loop
  bool wants_to_train() const { return state == RunState::running || pending_steps > 0; }

  void loop() {
    apply_threads();
    while (true) {
      std::deque<Command> batch;
      {
        std::unique_lock<std::mutex> lock(queue_mutex);
        if (!wants_to_train() && queue.empty() && !stopping) {
          queue_cv.wait_for(lock, std::chrono::milliseconds(100));
        }
        if (stopping) break;
        batch.swap(queue);
      }
      for (auto& c : batch) handle(c);
      if (!batch.empty()) publish(true);
      if (wants_to_train()) {
        const auto t0 = Clock::now();
        train_once();
        wall_seconds += seconds_since(t0);
      }
      publish(false);
    }
  }

  void fail(const std::string& why) {
    error = why;
    state = RunState::error;
    pending_steps = 0;
    publish(true);
  }

  void train_once() {
    const auto t0 = Clock::now();
    const bool readback_due = (step_count + 1) % config.run.log_every == 0 ||
                              (state != RunState::running && pending_steps <= 1);
    if (readback_due) {
      for (auto* net : method->networks()) net->optimizer().track_next_update();
    }
    try {
      method->step(step_losses);
    } catch (const std::exception& e) {
      fail("step " + std::to_string(step_count + 1) + " failed: " + error_message(e));
      return;
    }
    ++step_count;
    loss_rows.push_back(torch::stack(step_losses));
    if (pending_steps > 0) --pending_steps;
    const bool stepping_done = state != RunState::running && pending_steps == 0;
    bool ok = true;
    if (step_count % config.run.log_every == 0 || stepping_done) ok = readback();
    train_seconds += seconds_since(t0);
    if (!ok) return;
    if (state == RunState::running || pending_steps == 0) {
      try {
        refresh_preview(pending_steps == 0 && state != RunState::running);
      } catch (const std::exception& e) {
        fail("step " + std::to_string(step_count) + ": preview: " + error_message(e));
        return;
      }
    }
    try {
      if (config.run.eval_every > 0 && step_count % config.run.eval_every == 0) evaluate();
      if (step_count % config.run.csv_every == 0) write_csv_row();
      if (run_dir && config.run.checkpoint_every > 0 &&
          step_count % config.run.checkpoint_every == 0) {
        write_checkpoint(capture(), run_dir->path("checkpoint.ckpt"));
      }
    } catch (const std::exception& e) {
      fail("step " + std::to_string(step_count) + ": " + error_message(e));
      return;
    }
    const bool step_limit = config.run.steps > 0 && step_count >= config.run.steps;
    const bool time_limit =
        config.run.seconds > 0 && wall_seconds + seconds_since(t0) >= config.run.seconds;
    if (state == RunState::running && (step_limit || time_limit)) finish();
  }

  // Reads the losses of the steps since the last readback (one host sync), checks them and the
  // weights for NaN/inf, records the curves, and refreshes the backup. False after a NaN.
  bool readback() {
    if (loss_rows.empty()) return true;
    torch::NoGradGuard no_grad;
    auto nets = method->networks();
    std::vector<torch::Tensor> weight_ok;
    for (auto* net : nets) weight_ok.push_back(torch::isfinite(net->params().data()).all());
    auto rows = torch::stack(loss_rows).to(torch::kCPU, torch::kDouble);
    auto wok = torch::stack(weight_ok).to(torch::kCPU);
    const int64_t k = rows.size(0), first_step = step_count - k + 1;
    loss_rows.clear();
    auto finite = torch::isfinite(rows);
    if (!finite.all().item<bool>() || !wok.all().item<bool>()) {
      std::string what;
      if (!finite.all().item<bool>()) {
        auto bad = torch::nonzero(finite.logical_not())[0];
        const int64_t r = bad[0].item<int64_t>(), c = bad[1].item<int64_t>();
        const double v = rows[r][c].item<double>();
        what = "loss '" + loss_series[c].name + "' is " + (std::isnan(v) ? "nan" : "inf") +
               " at step " + std::to_string(first_step + r);
      } else {
        for (size_t i = 0; i < nets.size(); ++i)
          if (!wok[i].item<bool>()) {
            what = "network '" + nets[i]->name() + "' has a nan/inf weight after step " +
                   std::to_string(step_count);
            break;
          }
      }
      restore_backup();
      fail(what + "; restored the state of step " + std::to_string(step_count) +
           " and paused (lower a learning rate, then resume)");
      return false;
    }
    auto mean = rows.mean(0);
    for (size_t i = 0; i < loss_series.size(); ++i) {
      push_point(loss_series[i], step_count, mean[i].item<double>());
      csv_loss_sum[i] += rows.select(1, i).sum().item<double>();
    }
    csv_loss_rows += k;
    update_rates();
    take_backup();
    return true;
  }

  void update_rates() {
    auto nets = method->networks();
    const double dt = train_seconds - rate_time;
    for (size_t i = 0; i < nets.size(); ++i) {
      rates[i].updates = nets[i]->updates();
      rates[i].lr = nets[i]->optimizer().hyper().lr;
      const auto& u = nets[i]->optimizer().last_update_norm();
      if (u.defined()) rates[i].last_update_norm = u.item<double>();
      if (train_seconds > 0) rates[i].average_per_s = rates[i].updates / train_seconds;
      if (dt >= 0.5) rates[i].recent_per_s = (rates[i].updates - rate_updates[i]) / dt;
      if (dt >= 0.5) rate_updates[i] = rates[i].updates;
    }
    if (dt >= 0.5) rate_time = train_seconds;
  }

  void take_backup() {
    torch::NoGradGuard no_grad;
    auto nets = method->networks();
    const bool fresh = backup.params.size() != nets.size();
    if (fresh) backup = Backup{};
    for (size_t i = 0; i < nets.size(); ++i) {
      auto& p = nets[i]->params().data();
      auto& m = nets[i]->optimizer().exp_avg();
      auto& v = nets[i]->optimizer().exp_avg_sq();
      auto e = nets[i]->has_ema() ? nets[i]->ema()->data() : p;
      if (fresh) {
        backup.ema.push_back(e.clone());
        backup.params.push_back(p.clone());
        backup.exp_avg.push_back(m.clone());
        backup.exp_avg_sq.push_back(v.clone());
        backup.updates.push_back(nets[i]->updates());
      } else {
        backup.ema[i].copy_(e);
        backup.params[i].copy_(p);
        backup.exp_avg[i].copy_(m);
        backup.exp_avg_sq[i].copy_(v);
        backup.updates[i] = nets[i]->updates();
      }
    }
    backup.step = step_count;
    backup.train_seconds = train_seconds;
    if (device.is_cpu()) backup.rng_state = rng->state();
  }

  void restore_backup() {
    torch::NoGradGuard no_grad;
    auto nets = method->networks();
    for (size_t i = 0; i < nets.size(); ++i) {
      nets[i]->params().data().copy_(backup.params[i]);
      nets[i]->optimizer().exp_avg().copy_(backup.exp_avg[i]);
      nets[i]->optimizer().exp_avg_sq().copy_(backup.exp_avg_sq[i]);
      nets[i]->optimizer().set_steps(backup.updates[i]);
      if (nets[i]->has_ema()) nets[i]->ema()->data().copy_(backup.ema[i]);
    }
    step_count = backup.step;
    if (backup.rng_state.defined()) rng->set_state(backup.rng_state);
    loss_rows.clear();
  }

  // ------------------------------------------------------------------ evaluation and output
  SampleResult draw(const std::string& sampler, int64_t n, uint64_t seed) {
    return draw_samples(*method, config.sampler, sampler, n, data->dim(), seed, device);
  }

  // The FID network and reference statistics, built at the first image evaluation (training the
  // network first when it is not cached: minutes, reported in the message).
  FidEvaluator& fid_evaluator() {
    if (!fid) {
      auto* images = dynamic_cast<const ImageDataset*>(data.get());
      if (!images) throw ConfigError("FID needs an image data set");
      message = "loading the FID feature network and reference statistics";
      publish(true);
      auto progress = [this](double fraction, double loss) {
        message = "training the FID feature network (once; cached under " + cache_dir() +
                  "): " + std::to_string(static_cast<int>(100 * fraction)) + "%";
        publish(false);
      };
      fid = std::make_unique<FidEvaluator>(*images, device, progress);
      message = "FID reference ready: " + fid->label() + ", real-vs-real floor " +
                std::to_string(fid->floor());
    }
    return *fid;
  }

  // The generator on a fixed batch of z, for the app's image grid: every second, or less often
  // when one batch costs more than 5% of that (a conv generator on one CPU core: ~0.2 s).
  void refresh_preview(bool force) {
    if (!data->is_image() || !method->has_generator()) return;
    if (!force && seconds_since(last_preview) < std::max(1.0, 20 * preview_cost)) return;
    const auto t0 = Clock::now();
    torch::NoGradGuard no_grad;
    preview_images =
        method->generate(64, Rng(static_cast<uint64_t>(config.run.seed) * 31 + 11, device))
            .to(torch::kCPU, torch::kFloat);
    preview_step = step_count;
    last_preview = Clock::now();
    preview_cost = seconds_since(t0);
  }

  void evaluate_images(const SampleResult& s) {
    std::map<std::string, double> values;
    const ImageShape shape = data->image_shape();
    if (fid_applies(shape.channels, shape.height, shape.width)) {
      FidEvaluator& f = fid_evaluator();
      values[fid_metric] = f.fid(s.samples);
      values[fid_floor_metric] = f.floor();
    }
    for (auto& series : metric_series) {
      auto it = values.find(series.name);
      if (it != values.end()) push_point(series, step_count, it->second);
    }
    pending_csv_metrics = values;
    last_eval_step = step_count;
    eval_samples = s.samples.narrow(0, 0, std::min<int64_t>(64, s.samples.size(0))).to(torch::kCPU);
    if (!method->has_generator()) {
      preview_images = eval_samples;  // no generator: the grid shows the evaluation's samples
      preview_step = step_count;
    }
    if (run_dir) {
      write_image_grid_png(run_dir->path("samples.png"),
                           eval_samples.reshape({-1, shape.channels, shape.height, shape.width}),
                           8);
    }
  }

  void evaluate() {
    const uint64_t seed = static_cast<uint64_t>(config.run.seed) * 31 + 7;
    eval_sampler = resolve_sampler(*method, config.sampler.kind);
    SampleResult s = draw(eval_sampler, config.run.eval_samples, seed);
    if (data->is_image()) {
      evaluate_images(s);
      return;
    }
    SampleMetrics m = evaluate_samples(s.samples, *data, seed);
    std::map<std::string, double> values = {
        {"sliced_w2", m.sliced_w2}, {"sliced_w2_floor", m.sliced_w2_floor}, {"energy", m.energy}};
    if (m.modes) {
      values["high_quality_rate"] = m.modes->high_quality_rate;
      values["modes_covered"] = static_cast<double>(m.modes->modes_covered);
      values["nll"] = m.modes->nll;
    }
    for (auto& series : metric_series) {
      auto it = values.find(series.name);
      if (it != values.end()) push_point(series, step_count, it->second);
    }
    pending_csv_metrics = values;
    last_eval = m;
    last_eval_step = step_count;
    eval_samples = s.samples;
    Rng real_rng(seed + 1, torch::kCPU);
    eval_real = data->sample(s.samples.size(0), real_rng);
    if (run_dir) write_scatter_png(run_dir->path("samples.png"), eval_real, eval_samples);
  }

  void write_csv_row() {
    if (!run_dir) return;
    std::map<std::string, double> losses;
    if (csv_loss_rows > 0) {
      for (size_t i = 0; i < loss_series.size(); ++i) {
        losses[loss_series[i].name] = csv_loss_sum[i] / csv_loss_rows;
      }
    }
    run_dir->append_metrics(step_count, wall_seconds, train_seconds, losses, pending_csv_metrics);
    last_csv_step = step_count;
    csv_loss_sum.assign(loss_series.size(), 0.0);
    csv_loss_rows = 0;
    pending_csv_metrics.clear();
  }

  void finish() {
    state = RunState::finished;
    pending_steps = 0;
    message = "finished at step " + std::to_string(step_count);
    try {
      if (last_eval_step != step_count) evaluate();
      if (last_csv_step != step_count || !pending_csv_metrics.empty()) write_csv_row();
      if (run_dir) {
        write_checkpoint(capture(), run_dir->path("checkpoint.ckpt"));
        message += "; outputs in " + run_dir->dir();
      }
    } catch (const std::exception& e) {
      fail("finishing at step " + std::to_string(step_count) + ": " + error_message(e));
      return;
    }
    publish(true);
  }

  Checkpoint capture() {
    return capture_checkpoint(*method, config, step_count, train_seconds, *rng);
  }

  // ------------------------------------------------------------------ commands
  void handle(Command& c) {
    std::visit([this](auto& x) { on(x); }, c);
  }

  // Publishes first, so a caller woken by the future already sees the state it caused.
  template <class T>
  void reply(Promise<T>& p, T value) {
    publish(true);
    p->set_value(std::move(value));
  }

  void on(cmd::Resume&) {
    if (state == RunState::finished) {
      config.run.steps = 0;
      config.run.seconds = 0;
      message = "resumed past the run's limits";
    }
    error.clear();
    state = RunState::running;
  }
  void on(cmd::Pause&) {
    if (state == RunState::running) state = RunState::paused;
    pending_steps = 0;
    if (!loss_rows.empty()) readback();
  }
  void on(cmd::Step& s) {
    error.clear();
    state = RunState::paused;
    pending_steps += s.n;
  }
  void on(cmd::Reset&) {
    const RunState keep = state == RunState::running ? RunState::running : RunState::paused;
    try {
      build(config);
      state = keep;
      message = "reset to step 0";
    } catch (const std::exception& e) {
      fail(std::string("reset failed: ") + error_message(e));
    }
  }
  void on(cmd::Set& s) {
    try {
      Config next = merge_json(config, s.partial, "setting");
      const auto needs_reset = reset_keys(config, next);
      if (!needs_reset.empty()) {
        if (!s.allow_reset) {
          throw ConfigError("changing " + needs_reset.front() +
                            " needs a reset of the run (reset to apply it)");
        }
        const RunState keep = state == RunState::running ? RunState::running : RunState::paused;
        build(next);
        state = keep;
      } else {
        config = next;
        method->update_hyperparams(config);
        apply_threads();
      }
      message = "applied " + s.partial.dump();
      reply(s.done, std::string(""));
    } catch (const std::exception& e) {
      message = error_message(e);
      reply(s.done, std::string(error_message(e)));
    }
  }
  void on(cmd::Replace& r) {
    try {
      const RunState keep = state == RunState::running ? RunState::running : RunState::paused;
      build(r.config);
      apply_threads();
      state = keep;
      message = "loaded a new configuration";
      reply(r.done, std::string(""));
    } catch (const std::exception& e) {
      message = error_message(e);
      reply(r.done, std::string(error_message(e)));
    }
  }
  void on(cmd::Save& s) {
    try {
      if (!loss_rows.empty() && !readback()) throw std::runtime_error(error);
      write_checkpoint(capture(), s.path);
      message = "saved " + s.path;
      reply(s.done, std::string(""));
    } catch (const std::exception& e) {
      message = std::string("save failed: ") + error_message(e);
      reply(s.done, std::string(message));
    }
  }
  void on(cmd::Load& l) {
    try {
      Checkpoint ck = read_checkpoint(l.path);
      build(ck.config);
      apply_threads();
      restore_checkpoint(ck, *method);
      step_count = ck.step;
      train_seconds = ck.train_seconds;
      if (ck.rng_state.defined() && device.is_cpu()) rng->set_state(ck.rng_state);
      take_backup();
      refresh_preview(true);
      for (size_t i = 0; i < rates.size(); ++i) rate_updates[i] = method->networks()[i]->updates();
      rate_time = train_seconds;
      state = RunState::paused;
      message = "loaded " + l.path + " at step " + std::to_string(step_count);
      reply(l.done, std::string(""));
    } catch (const std::exception& e) {
      message = std::string("load failed: ") + error_message(e);
      reply(l.done, std::string(message));
    }
  }
  void on(cmd::Field& f) {
    try {
      f.done->set_value(eval_field(f.request));
    } catch (...) {
      f.done->set_exception(std::current_exception());
    }
  }
  void on(cmd::Sample& s) {
    try {
      refuse_stale("sample", s.request.data);
      SampleResult r = draw(s.request.sampler, s.request.n, s.request.seed);
      if (s.request.metrics && !data->is_image()) {
        r.metrics = evaluate_samples(r.samples, *data, s.request.seed);
        r.has_metrics = true;
      }
      s.done->set_value(std::move(r));
    } catch (...) {
      s.done->set_exception(std::current_exception());
    }
  }
  void on(cmd::Langevin& l) {
    try {
      l.done->set_value(run_trace(l.request));
    } catch (...) {
      l.done->set_exception(std::current_exception());
    }
  }
  void on(cmd::InjectNan&) {
    torch::NoGradGuard no_grad;
    method->networks().front()->params().data()[0].fill_(std::nan(""));
  }

  void refuse_stale(const char* what, const std::string& asked_data) const {
    if (!asked_data.empty() && asked_data != config.data.name) {
      throw StaleRequestError(std::string(what) + " request for " + asked_data +
                              ": the run now trains on " + config.data.name);
    }
  }

  FieldResult eval_field(const FieldRequest& q) {
    refuse_stale("score field", q.data);
    if (data->is_image()) {
      throw ConfigError("score fields are drawn for 2-D data; this run trains on " + data->name());
    }
    if (q.nx < 2 || q.ny < 2 || !(q.x1 > q.x0) || !(q.y1 > q.y0) || !(q.sigma > 0)) {
      throw ConfigError("field request: need nx, ny >= 2, x1 > x0, y1 > y0 and sigma > 0");
    }
    torch::NoGradGuard no_grad;
    FieldResult r;
    r.request = q;
    r.step = step_count;
    auto xs = torch::linspace(q.x0, q.x1, q.nx, torch::kFloat);
    auto ys = torch::linspace(q.y0, q.y1, q.ny, torch::kFloat);
    auto grid = torch::meshgrid({ys, xs}, "ij");
    r.points = torch::stack({grid[1].flatten(), grid[0].flatten()}, 1);
    r.learned = method->score(q.model, r.points, q.sigma, q.alpha).to(torch::kCPU);
    if (q.exact) {
      const GaussianMixture* mix = data->mixture();
      GaussianMixture p = mix ? *mix : GaussianMixture::from_samples(real_reference);
      r.exact_kind = mix ? "mixture" : "empirical";
      if (q.alpha < 1 && method->has_generator()) {
        GaussianMixture fake = GaussianMixture::from_samples(
            method->generate(5000, Rng(config.run.seed + 4242, device)).to(torch::kCPU));
        p = GaussianMixture::blend(p, fake, q.alpha);
        r.exact_kind += "+generator";
      }
      auto noised = p.noised(q.sigma);
      r.exact = noised.score(r.points).to(torch::kFloat);
      r.log_density = noised.log_prob(r.points).to(torch::kFloat);
    }
    return r;
  }

  LangevinTrace run_trace(const LangevinRequest& q) {
    refuse_stale("Langevin trace", q.data);
    if (data->is_image()) {
      throw ConfigError(
          "Langevin traces are drawn for 2-D data; sample images with "
          "scorelab-cli sample --sampler annealed");
    }
    if (q.n < 1 || q.record_every < 1)
      throw ConfigError("langevin request: need n >= 1, record_every >= 1");
    ScoreFn score;
    std::optional<GaussianMixture> empirical;
    if (q.exact_score) {
      if (data->mixture()) {
        score = exact_score(*data->mixture());
      } else {
        empirical.emplace(GaussianMixture::from_samples(real_reference));
        score = exact_score(*empirical);
      }
    } else {
      if (method->data_score_model().empty()) {
        throw ConfigError("langevin request: " + method->name() +
                          " learns no data score; use the exact score");
      }
      score = learned_score(*method);
    }
    LangevinTrace t;
    const auto t0 = Clock::now();
    LangevinSampler s(score, langevin_options(config.sampler, q.annealed), q.n, data->dim(), q.seed,
                      device);
    auto record = [&] {
      t.frames.push_back(s.particles().to(torch::kCPU));
      t.frame_steps.push_back(s.steps_done());
      t.frame_sigma.push_back(s.sigma());
      t.frame_step_size.push_back(s.step_size());
    };
    record();
    while (!s.done()) {
      s.step();
      if (s.steps_done() % q.record_every == 0 || s.done()) record();
    }
    t.result = s.result().to(torch::kCPU);
    t.nfe = s.nfe();
    t.seconds = seconds_since(t0);
    return t;
  }

  // ------------------------------------------------------------------ snapshots
  void publish(bool force) {
    const double min_gap = 1.0 / config.run.snapshot_hz;
    if (!force && seconds_since(last_publish) < min_gap) return;
    last_publish = Clock::now();
    auto s = std::make_shared<Snapshot>();
    s->state = state;
    s->step = step_count;
    s->train_seconds = train_seconds;
    s->wall_seconds = wall_seconds;
    s->error = error;
    s->message = message;
    s->config = config;
    s->method = method->name();
    s->device = describe_device(device);
    s->loss_names = method->loss_names();
    s->score_models = method->score_models();
    s->data_score_model = method->data_score_model();
    s->has_generator = method->has_generator();
    s->losses = loss_series;
    s->metrics = metric_series;
    s->rates = rates;
    s->last_eval = last_eval;
    s->last_eval_step = last_eval_step;
    s->eval_sampler = eval_sampler;
    s->eval_samples = eval_samples;
    s->real_samples = eval_real;
    s->real_reference = real_reference.defined() ? real_reference.to(torch::kCPU) : real_reference;
    s->image_shape = data->image_shape();
    s->preview_images = preview_images;
    s->preview_step = preview_step;
    if (fid) s->fid_label = fid->label();
    if (data->is_image()) {
      s->fid_metric = fid_metric;
      s->fid_floor_metric = fid_floor_metric;
    }
    {
      std::lock_guard<std::mutex> lock(snap_mutex);
      s->version = ++snap_version;
      snap = std::move(s);
    }
    snap_cv.notify_all();
  }

  void post(Command c) {
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      queue.push_back(std::move(c));
    }
    queue_cv.notify_one();
  }
};

Trainer::Trainer(const Config& config, std::string run_dir) : impl_(std::make_unique<Impl>()) {
  impl_->run_dir_path = std::move(run_dir);
  impl_->build(config);
  impl_->publish(true);
  impl_->worker = std::thread([this] { impl_->loop(); });
}

Trainer::~Trainer() {
  {
    std::lock_guard<std::mutex> lock(impl_->queue_mutex);
    impl_->stopping = true;
  }
  impl_->queue_cv.notify_one();
  if (impl_->worker.joinable()) impl_->worker.join();
}

void Trainer::resume() {
  impl_->post(cmd::Resume{});
}
void Trainer::pause() {
  impl_->post(cmd::Pause{});
}
void Trainer::step(int64_t n) {
  impl_->post(cmd::Step{n});
}
void Trainer::reset() {
  impl_->post(cmd::Reset{});
}
void Trainer::inject_nan() {
  impl_->post(cmd::InjectNan{});
}

template <class T>
static std::pair<std::future<T>, std::shared_ptr<std::promise<T>>> make_promise() {
  auto p = std::make_shared<std::promise<T>>();
  return {p->get_future(), p};
}

std::future<std::string> Trainer::set(const std::string& key, const std::string& value,
                                      bool allow_reset) {
  nlohmann::json v;
  try {
    v = nlohmann::json::parse(value);
    if (v.is_object() || v.is_array() || v.is_null()) v = value;
  } catch (const nlohmann::json::parse_error&) {
    v = value;
  }
  try {
    return set_json(partial_json(key, v), allow_reset);
  } catch (const ConfigError& e) {
    std::promise<std::string> p;
    p.set_value(error_message(e));
    return p.get_future();
  }
}

std::future<std::string> Trainer::set_json(const nlohmann::json& partial, bool allow_reset) {
  auto [f, p] = make_promise<std::string>();
  impl_->post(cmd::Set{partial, allow_reset, p});
  return std::move(f);
}

std::future<std::string> Trainer::replace_config(const Config& config) {
  auto [f, p] = make_promise<std::string>();
  impl_->post(cmd::Replace{config, p});
  return std::move(f);
}

std::future<std::string> Trainer::save_checkpoint(const std::string& path) {
  auto [f, p] = make_promise<std::string>();
  impl_->post(cmd::Save{path, p});
  return std::move(f);
}

std::future<std::string> Trainer::load_checkpoint(const std::string& path) {
  auto [f, p] = make_promise<std::string>();
  impl_->post(cmd::Load{path, p});
  return std::move(f);
}

std::future<FieldResult> Trainer::eval_field(const FieldRequest& request) {
  auto [f, p] = make_promise<FieldResult>();
  impl_->post(cmd::Field{request, p});
  return std::move(f);
}

std::future<SampleResult> Trainer::sample(const SampleRequest& request) {
  auto [f, p] = make_promise<SampleResult>();
  impl_->post(cmd::Sample{request, p});
  return std::move(f);
}

std::future<LangevinTrace> Trainer::langevin(const LangevinRequest& request) {
  auto [f, p] = make_promise<LangevinTrace>();
  impl_->post(cmd::Langevin{request, p});
  return std::move(f);
}

std::shared_ptr<const Snapshot> Trainer::snapshot() const {
  std::lock_guard<std::mutex> lock(impl_->snap_mutex);
  return impl_->snap;
}

std::shared_ptr<const Snapshot> Trainer::wait_for(const std::function<bool(const Snapshot&)>& pred,
                                                  double timeout_s) const {
  std::unique_lock<std::mutex> lock(impl_->snap_mutex);
  impl_->snap_cv.wait_for(lock, std::chrono::duration<double>(timeout_s),
                          [&] { return impl_->snap && pred(*impl_->snap); });
  return impl_->snap;
}

}  // namespace scorelab
