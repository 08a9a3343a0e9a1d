#pragma once
// "Branch": a change that needs a reset, made without losing the run it replaces. The live run
// is saved as a run folder (config.json, metrics.csv, checkpoint.ckpt), kept in the run list
// and overlaid on the curves, then the change applies and the new run starts.
#include <future>
#include <string>

#include "app_context.h"

namespace scorelab::ui {

// A folder under `parent` named after the run that does not exist yet: parent/run3-smt-step4000,
// then …-2, -3, ….
std::string unique_run_dir(const std::string& parent, int number, const std::string& method,
                           int64_t step);

// Saves and keeps the live run (errors about the checkpoint reach the user through ctx.watch),
// then posts key=value with a reset. Returns the setting's answer; throws IoError when the
// folder cannot be written, with nothing changed.
std::future<void> branch_run(AppContext& ctx, const std::string& key, const std::string& value);

}  // namespace scorelab::ui
