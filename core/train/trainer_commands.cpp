// What each command does to the run, on the worker thread between steps.
#include <torch/torch.h>

#include <cmath>

#include "methods/method.h"
#include "settings/settings.h"
#include "train/trainer_impl.h"

namespace scorelab {

void Trainer::Impl::on(cmd::Resume&) {
  if (state == RunState::finished) {
    run.config.run.steps = 0;
    run.config.run.seconds = 0;
    message = "resumed past the run's limits";
  }
  error.clear();
  state = RunState::running;
}

void Trainer::Impl::on(cmd::Pause&) {
  if (state == RunState::running) state = RunState::paused;
  pending_steps = 0;
  readback();
}

void Trainer::Impl::on(cmd::Step& s) {
  error.clear();
  state = RunState::paused;
  pending_steps += s.n;
}

void Trainer::Impl::on(cmd::Reset&) {
  try {
    rebuild_keeping_state(run.config);
    message = "reset to step 0";
  } catch (const DistError& e) {
    lose_group(std::string("reset failed: ") + error_message(e));
  } catch (const std::exception& e) {
    fail(std::string("reset failed: ") + error_message(e));
  }
}

void Trainer::Impl::on(cmd::Set& s) {
  answer(s.done, [&] {
    const auto partial = s.key.empty() ? s.partial : partial_setting(s.key, s.text);
    const Config next = merge_json(run.config, partial, "setting");
    const auto needs_reset = reset_keys(run.config, next);
    if (!needs_reset.empty() && !s.allow_reset) {
      throw ConfigError("changing " + needs_reset.front() +
                        " needs a reset of the run (reset to apply it)");
    }
    if (!needs_reset.empty()) {
      rebuild_keeping_state(next);
    } else {
      apply_live(next);
    }
    message = "applied " + partial.dump();
  });
}

void Trainer::Impl::apply_live(const Config& next) {
  try {
    run.method->update_hyperparams(next);
  } catch (...) {
    run.method->update_hyperparams(run.config);
    throw;
  }
  runner->config_changed(run.config, next);
  if (next.run.cuda_graph != run.config.run.cuda_graph)
    runner->set_mode(next.run.cuda_graph, distributed());
  run.config = next;
  apply_threads();
  weights_changed();  // the probes' copy carries the config too
}

void Trainer::Impl::on(cmd::Replace& r) {
  answer(r.done, [&] {
    rebuild_keeping_state(r.config);
    message = "loaded a new configuration";
  });
}

void Trainer::Impl::on(cmd::Save& s) {
  answer(s.done, [&] {
    try {
      if (!readback()) throw std::runtime_error(error);
      if (leader()) write_checkpoint(capture(), s.path);
    } catch (const std::exception& e) {
      throw IoError("save failed: " + error_message(e));
    }
    message = "saved " + s.path;
  });
}

void Trainer::Impl::on(cmd::Load& l) {
  answer(l.done, [&] {
    Run r;
    try {
      Checkpoint ck = read_checkpoint(l.path);
      r = open_run(ck.config, run_dir_path);
      restore_run(ck, r);
    } catch (const std::exception& e) {
      throw CheckpointError("load failed: " + error_message(e));
    }
    commit(std::move(r));
    apply_threads();
    state = RunState::paused;
    message = "loaded " + l.path + " at step " + std::to_string(step_count);
  });
}

void Trainer::Impl::on(Probe& p) {
  auto& lane = quick_probe(p, run.method->has_generator()) ? quick_probes : slow_probes;
  lane.post(current_model(), std::move(p));
}

void Trainer::Impl::on(cmd::InjectNan&) {
  torch::NoGradGuard no_grad;
  run.method->networks().front()->params().data()[0].fill_(std::nan(""));
  weights_changed();
}

std::shared_ptr<const ModelCopy> Trainer::Impl::current_model() {
  if (!model_copy || model_copy->run_id != run_id || model_copy->version != model_version) {
    model_copy = copy_model(run, run_id, model_version, step_count);
  }
  return model_copy;
}

}  // namespace scorelab
