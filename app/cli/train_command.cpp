// `scorelab-cli train`: drives the same Trainer as the app, with a progress bar.
#include <ATen/Parallel.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include <torch/cuda.h>

#include "cli/commands.h"
#include "cli/local_launch.h"
#include "cli/progress_bar.h"
#include "common/device.h"
#include "common/error.h"
#include "compare/run_history.h"
#include "parallel/communicator.h"
#include "parallel/dist_env.h"
#include "settings/presets.h"
#include "settings/settings.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

namespace scorelab::cli {

namespace {

// Set by SIGINT, SIGTERM or SIGHUP so a long run stops cleanly and saves (a signal handler can
// only touch such a flag).
volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_stop_signal(int) {
  g_interrupted = 1;
}

// The signals that end a training run with a save: Ctrl+C, kill's default, a closed terminal.
// Ranks > 0 ignore them: rank 0 acts for the whole group.
void handle_stop_signals(bool leader) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, leader ? on_stop_signal : SIG_IGN);
}
void restore_stop_signals() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, SIG_DFL);
}

struct TrainOptions {
  std::string preset, config_file, out, device, resume;
  std::vector<std::string> sets;
  // Kept as text and applied as settings, so they are checked like --set (range, NaN, type).
  std::string steps, seconds, seed, threads;
  int64_t nproc = 1;
  bool overwrite = false;
};

// --steps, --seconds, --seed, --threads, --device: each the run.* setting of the same name.
Config apply_run_options(Config c, const TrainOptions& o) {
  const std::pair<const char*, const std::string*> options[] = {{"steps", &o.steps},
                                                                {"seconds", &o.seconds},
                                                                {"seed", &o.seed},
                                                                {"threads", &o.threads},
                                                                {"device", &o.device}};
  for (const auto& [name, text] : options) {
    if (text->empty()) continue;
    const std::string label = std::string("--") + name + " " + *text;
    c = merge_json(c, partial_setting(std::string("run.") + name, *text), label);
    try {
      validate(c);
    } catch (const ConfigError& e) {
      throw ConfigError(label + ": " + e.what());
    }
  }
  return c;
}

Config resolve_config(const TrainOptions& o, std::string& run_name) {
  if (!o.preset.empty() && !o.config_file.empty()) {
    throw ConfigError("give either --preset or --config, not both");
  }
  Config c;
  if (!o.config_file.empty()) {
    c = load_config_file(o.config_file);
    run_name = std::filesystem::path(o.config_file).stem().string();
  } else {
    run_name = o.preset.empty() ? "swissroll-dsm" : o.preset;
    c = load_preset(run_name);
  }
  if (!o.sets.empty()) c = apply_settings(c, o.sets);
  c = apply_run_options(c, o);
  validate(c);
  return c;
}

namespace fs = std::filesystem;

// What makes a folder a run's: the files a run writes first.
bool holds_a_run(const std::string& dir) {
  std::error_code ec;
  for (const char* f : {"config.json", "metrics.csv", "checkpoint.ckpt"})
    if (fs::exists(fs::path(dir) / f, ec)) return true;
  return false;
}

// --out onto another run destroys it: only with --overwrite, which first removes the old run's
// files, so that no old checkpoint sits beside a new config.
void claim_run_folder(const std::string& out, bool overwrite) {
  if (!holds_a_run(out)) return;
  if (!overwrite) {
    throw ConfigError("--out " + out + " already holds a run; continue it with --resume " + out +
                      ", replace it with --overwrite, or give another --out");
  }
  std::error_code ec;
  for (const char* f : {"checkpoint.ckpt", "samples.png", "metrics.csv", "config.json"}) {
    fs::remove(fs::path(out) / f, ec);
    if (ec) throw IoError("--overwrite: cannot remove " + out + "/" + f + ": " + ec.message());
  }
}

// --resume PATH: a run folder (its checkpoint.ckpt) or a checkpoint file.
struct ResumeFrom {
  std::string checkpoint, folder;
};
ResumeFrom resume_source(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    const std::string ck = (fs::path(path) / "checkpoint.ckpt").string();
    if (!fs::exists(ck, ec)) {
      throw ConfigError("--resume " + path + ": no checkpoint.ckpt in it (the run saved none)");
    }
    return {ck, path};
  }
  const fs::path p(path);
  return {path, p.has_parent_path() ? p.parent_path().string() : "."};
}

// The checkpoint's config with this command's changes; structural ones are refused by the
// Trainer, a --preset, --config or --seed here.
Config resume_config(const TrainOptions& o, const Checkpoint& ck) {
  if (!o.preset.empty() || !o.config_file.empty()) {
    throw ConfigError("--resume continues the checkpoint's own config: drop --preset/--config");
  }
  if (!o.seed.empty()) {
    throw ConfigError("--resume continues the checkpoint's random streams: drop --seed");
  }
  Config c = ck.config;
  if (!o.sets.empty()) c = apply_settings(c, o.sets);
  c = apply_run_options(c, o);
  validate(c);
  if (c.run.steps > 0 && ck.step >= c.run.steps) {
    throw ConfigError("--resume: the run is at step " + std::to_string(ck.step) +
                      " and its run.steps is " + std::to_string(c.run.steps) +
                      "; give --steps with a larger total (or --steps 0 for no limit)");
  }
  return c;
}

std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

std::string progress_text(const Snapshot& s) {
  std::string t = "step " + std::to_string(s.step);
  if (!s.phase.empty()) t += "  (" + s.phase + ")";
  // The last network is the one updated once per step (the generator where there is one); while
  // a teacher phase leaves it idle, the network that phase trains gives the step rate.
  if (!s.rates.empty()) {
    double rate = s.rates.back().recent_per_s;
    for (const auto& r : s.rates)
      if (rate == 0) rate = r.recent_per_s;
    t += "  " + fmt("%.0f steps/s", rate);
  }
  for (const auto& l : s.losses)
    if (!l.empty()) t += "  " + l.name + " " + fmt("%.4g", l.last());
  if (s.last_eval) {
    t += "  sw2 " + fmt("%.3f", s.last_eval->sliced_w2) + " (floor " +
         fmt("%.3f", s.last_eval->sliced_w2_floor) + ")";
  }
  return t;
}

double progress_fraction(const Snapshot& s) {
  double f = -1;
  if (s.config.run.steps > 0) f = std::max(f, double(s.step) / s.config.run.steps);
  if (s.config.run.seconds > 0) f = std::max(f, s.wall_seconds / s.config.run.seconds);
  return f;
}

double eta_seconds(const Snapshot& s) {
  double eta = -1;
  if (s.config.run.seconds > 0) eta = std::max(0.0, s.config.run.seconds - s.wall_seconds);
  if (s.config.run.steps > 0 && s.step > 0 && s.wall_seconds > 0) {
    const double by_steps = (s.config.run.steps - s.step) * s.wall_seconds / s.step;
    eta = eta < 0 ? by_steps : std::min(eta, by_steps);
  }
  return eta;
}

void print_summary(const Snapshot& s) {
  if (s.last_eval) {
    const auto& m = *s.last_eval;
    std::printf("eval at step %lld (%s, %lld samples): sliced_w2 %.4f  floor %.4f  energy %.4g",
                static_cast<long long>(s.last_eval_step), s.eval_sampler.c_str(),
                static_cast<long long>(m.n), m.sliced_w2, m.sliced_w2_floor, m.energy);
    if (m.modes) {
      std::printf("  modes %lld/%lld  high-quality %.3f  nll %.3f",
                  static_cast<long long>(m.modes->modes_covered),
                  static_cast<long long>(m.modes->modes_total), m.modes->high_quality_rate,
                  m.modes->nll);
    }
    std::printf("\n");
  }
  std::string line = "throughput:";
  for (const auto& r : s.rates) {
    line += " " + r.name + " " + fmt("%.1f", r.average_per_s) + " steps/s (" +
            std::to_string(r.updates) + " updates in " + fmt("%.1f", s.train_seconds) + " s)";
  }
  std::printf("%s\n", line.c_str());
  if (!s.step_mode.empty()) std::printf("steps: %s\n", s.step_mode.c_str());
}

// A rank of a launched run (RANK, WORLD_SIZE, … set): its GPU is cuda:LOCAL_RANK where CUDA is
// asked for or auto-picked; then the process group, which waits for every rank.
std::shared_ptr<Communicator> join_ranks(const DistEnv& env, Config& c) {
  if (c.run.device == "auto" || c.run.device == "cuda") {
    if (torch::cuda::is_available()) {
      c.run.device = "cuda:" + std::to_string(env.local_rank % torch::cuda::device_count());
    } else if (c.run.device == "auto") {
      c.run.device = "cpu";
    }
  }
  const auto device = resolve_device(c.run.device);
  return std::make_shared<Communicator>(
      env, c.run.backend, device.is_cuda() ? "cuda" : "cpu",
      std::chrono::milliseconds(static_cast<int64_t>(c.run.dist_timeout * 1000)));
}

// "1200", or "?" when the file cannot be read.
std::string checkpoint_step_text(const std::string& path) {
  try {
    return std::to_string(read_checkpoint(path).step);
  } catch (const std::exception&) {
    return "?";
  }
}

// The config, run name, run folder and (when resuming) checkpoint of a `train` command; claims
// the folder on rank 0.
struct PreparedRun {
  Config config;
  std::string run_name, out;
  std::optional<Checkpoint> from;
};

PreparedRun prepare_run(const TrainOptions& o, const DistEnv& env) {
  PreparedRun p;
  p.out = o.out;
  if (!o.resume.empty()) {
    const ResumeFrom src = resume_source(o.resume);
    p.from = read_checkpoint(src.checkpoint);
    p.config = resume_config(o, *p.from);
    p.run_name = run_folder_name(src.folder);
    if (p.out.empty()) p.out = src.folder;
    std::error_code ec;
    if (!fs::equivalent(p.out, src.folder, ec) && env.rank == 0) {
      claim_run_folder(p.out, o.overwrite);
    }
  } else {
    p.config = resolve_config(o, p.run_name);
    if (p.out.empty()) p.out = "runs/" + p.run_name;
    if (env.rank == 0) claim_run_folder(p.out, o.overwrite);
  }
  return p;
}

// --nproc N: this command again as N ranks on this machine.
int launch_ranks_here(const TrainOptions& o, const Config& c, const DistEnv& env) {
  if (env.distributed()) {
    throw ConfigError("--nproc: this process is already rank " + std::to_string(env.rank) + " of " +
                      std::to_string(env.world) +
                      " (WORLD_SIZE is set by a launcher); drop --nproc");
  }
  if (!distributed_available()) {
    throw ConfigError(
        "--nproc: this scorelab was built without PyTorch's distributed engine (c10d with "
        "Gloo); install libgloo-dev (scripts/install-deps.sh) and rebuild");
  }
  std::printf("starting %lld ranks on this machine; effective batch %lld x %lld = %lld\n",
              static_cast<long long>(o.nproc), static_cast<long long>(c.optim.batch),
              static_cast<long long>(o.nproc), static_cast<long long>(c.optim.batch * o.nproc));
  std::fflush(stdout);
  return launch_local_ranks(static_cast<int>(o.nproc), command_line_without_nproc(),
                            c.run.dist_timeout + 10);
}

// What runs where, on what data, from which step, until when.
void print_run_header(const Snapshot& snap, const PreparedRun& p, const Communicator* comm,
                      const DistEnv& env) {
  const Config& c = p.config;
  std::printf("training %s on %s (%s) on %s; run folder %s\n", snap.method.c_str(),
              c.data.name.c_str(), p.run_name.c_str(), snap.device.c_str(), p.out.c_str());
  if (!snap.device_reason.empty()) {
    std::printf("device: %s (%s)\n", snap.device.c_str(), snap.device_reason.c_str());
  }
  if (comm) {
    std::printf("%d ranks (%s); effective batch %lld x %d = %lld\n", env.world,
                comm->backend().c_str(), static_cast<long long>(c.optim.batch), env.world,
                static_cast<long long>(c.optim.batch * env.world));
  }
  std::printf("data: %s\n", snap.data_description.c_str());
  if (!snap.data_notice.empty()) {
    std::fprintf(stderr, "scorelab-cli: warning: %s\n", snap.data_notice.c_str());
  }
  if (snap.step > 0) std::printf("continuing at step %lld\n", static_cast<long long>(snap.step));
  if (c.run.steps == 0 && c.run.seconds == 0) {
    std::printf("no --steps or --seconds: training until Ctrl+C\n");
  }
  std::fflush(stdout);
}

// Trains with a progress bar until the run finishes, fails or a stop signal comes (then
// paused); the last snapshot.
std::shared_ptr<const Snapshot> train_with_progress(Trainer& trainer, bool leader) {
  ProgressBar bar(leader);
  trainer.resume();
  uint64_t seen = 0;
  std::shared_ptr<const Snapshot> snap;
  while (true) {
    snap = trainer.wait_for([&](const Snapshot& s) { return s.version != seen; }, 0.25);
    seen = snap->version;
    const double eta = eta_seconds(*snap);
    bar.update(progress_fraction(*snap),
               progress_text(*snap) + (eta >= 0 ? "  ETA " + format_duration(eta) : ""));
    if (snap->state == RunState::finished || snap->state == RunState::error) break;
    if (g_interrupted) {
      trainer.pause();
      break;
    }
  }
  bar.finish();
  return snap;
}

// After Ctrl+C or a failure: keeps what was learned and says where. The exit status.
// The worker has restored the last checked state after a NaN or a divergence. A failed run
// never replaces a checkpoint (the failure may have begun before the checks saw it): its last
// checked state goes beside it. One that failed before learning anything saves nothing.
int save_after_stop(Trainer& trainer, std::shared_ptr<const Snapshot>& snap, const std::string& out,
                    int64_t start_step) {
  int rc = 0;
  const std::string ck = out + "/checkpoint.ckpt";
  const bool failed = snap->state == RunState::error;
  const bool learned = snap->step > start_step || !failed;
  std::error_code ec;
  const bool keep = failed && fs::exists(ck, ec);
  const std::string target = keep ? out + "/stopped.ckpt" : ck;
  const std::string err = learned ? why_refused(trainer.save_checkpoint(target)) : "";
  snap = trainer.snapshot();
  if (failed) {
    std::fprintf(stderr, "scorelab-cli: training stopped: %s\n", snap->error.c_str());
    rc = 1;
  } else {
    std::printf("interrupted at step %lld\n", static_cast<long long>(snap->step));
  }
  if (!learned) {
    std::printf("nothing saved: the run stopped at step %lld, where it started\n",
                static_cast<long long>(snap->step));
  } else if (!err.empty()) {
    std::fprintf(stderr, "scorelab-cli: %s\n", err.c_str());
    rc = 1;
  } else if (keep) {
    std::printf(
        "%s (step %s) is kept; the last checked state, step %lld, is in %s "
        "(continue from it with: scorelab-cli train --resume %s)\n",
        ck.c_str(), checkpoint_step_text(ck).c_str(), static_cast<long long>(snap->step),
        target.c_str(), target.c_str());
  } else {
    std::printf("checkpoint saved to %s; continue with: scorelab-cli train --resume %s\n",
                ck.c_str(), out.c_str());
  }
  return rc;
}

// Per step of this run (a resumed run's earlier steps did not cost this process).
void print_collective_costs(const Communicator& comm, const Snapshot& snap, int64_t start_step) {
  const auto ar = comm.all_reduce_cost(), bc = comm.broadcast_cost();
  const double steps = static_cast<double>(std::max<int64_t>(1, snap.step - start_step));
  std::printf(
      "collectives on rank 0: all-reduce %.3f ms/step (%.1f per step, %.1f KB/step), "
      "broadcast %.3f ms/step; %.1f%% of %.1f s\n",
      1e3 * ar.seconds / steps, ar.calls / steps, ar.bytes / steps / 1024, 1e3 * bc.seconds / steps,
      100 * (ar.seconds + bc.seconds) / std::max(1e-9, snap.wall_seconds), snap.wall_seconds);
}

int run_train_command(const TrainOptions& o) {
  const DistEnv env = DistEnv::from_environment();
  PreparedRun p = prepare_run(o, env);
  if (o.nproc > 1) return launch_ranks_here(o, p.config, env);
  std::shared_ptr<Communicator> comm;
  if (env.distributed()) comm = join_ranks(env, p.config);
  const bool leader = env.rank == 0;
  g_interrupted = 0;
  handle_stop_signals(leader);
  auto trainer = p.from ? std::make_unique<Trainer>(*p.from, p.config, p.out, comm)
                        : std::make_unique<Trainer>(p.config, p.out, comm);
  p.from.reset();  // its tensors are in the networks now
  auto snap = trainer->snapshot();
  const int64_t start_step = snap->step;
  if (leader) print_run_header(*snap, p, comm.get(), env);
  snap = train_with_progress(*trainer, leader);
  if (!leader) {
    if (snap->state != RunState::error) return 0;
    std::fprintf(stderr, "scorelab-cli: rank %d stopped: %s\n", env.rank, snap->error.c_str());
    return 1;
  }
  int rc = 0;
  if (g_interrupted || snap->state == RunState::error) {
    rc = save_after_stop(*trainer, snap, p.out, start_step);
  } else {
    std::printf("%s\n", snap->message.c_str());
  }
  print_summary(*snap);
  if (comm && snap->step > 0) print_collective_costs(*comm, *snap, start_step);
  restore_stop_signals();
  return rc;
}

}  // namespace

Runner add_train_command(CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  auto* sub = app.add_subcommand("train", "Train a preset or a config file; writes a run folder");
  sub->add_option("--preset", o->preset, "preset name (see `presets`), default swissroll-dsm");
  sub->add_option("--config", o->config_file, "config JSON file (instead of a preset)");
  sub->add_option("--set", o->sets, "override a setting, key=value (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_option("--out", o->out, "run folder (default runs/<preset>, or the resumed run's)");
  sub->add_flag("--overwrite", o->overwrite, "replace the run already in --out");
  sub->add_option("--resume", o->resume,
                  "continue a run: its folder (checkpoint.ckpt) or a checkpoint file; --steps is "
                  "then the new total");
  sub->add_option("--steps", o->steps, "stop at step N (run.steps; 0 = no limit)");
  sub->add_option("--seconds", o->seconds, "stop after S seconds of this command (run.seconds)");
  sub->add_option("--device", o->device, "auto | cpu | cuda | cuda:N");
  sub->add_option("--seed", o->seed, "random seed (run.seed)");
  sub->add_option("--threads", o->threads, "intra-op CPU threads (run.threads, default 1)");
  sub->add_option("--nproc", o->nproc,
                  "data parallel: start N ranks on this machine (batch per rank = optim.batch)")
      ->check(CLI::Range(1, 1024));
  return [o] { return run_train_command(*o); };
}

Runner add_presets_command(CLI::App& app) {
  auto* sub = app.add_subcommand("presets", "List the presets with a one-line description each");
  (void)sub;
  return []() -> int {
    const auto presets = list_presets();
    if (presets.empty()) {
      std::fprintf(stderr, "scorelab-cli: no presets found in %s\n", presets_dir().c_str());
      return 1;
    }
    size_t w = 0;
    for (const auto& p : presets) w = std::max(w, p.name.size());
    for (const auto& p : presets) {
      std::printf("%-*s  %s\n", static_cast<int>(w), p.name.c_str(), p.description.c_str());
    }
    return 0;
  };
}

}  // namespace scorelab::cli
