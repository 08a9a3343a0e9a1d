#include "run_branch.h"

#include <filesystem>

#include "compare/run_archive.h"

namespace scorelab::ui {

std::string unique_run_dir(const std::string& parent, int number, const std::string& method,
                           int64_t step) {
  const std::string base =
      parent + "/run" + std::to_string(number) + "-" + method + "-step" + std::to_string(step);
  std::error_code ec;
  std::string dir = base;
  for (int k = 2; std::filesystem::exists(dir, ec); ++k) dir = base + "-" + std::to_string(k);
  return dir;
}

std::future<void> branch_run(AppContext& ctx, const std::string& key, const std::string& value) {
  const Snapshot& s = *ctx.snap;
  const std::string dir = unique_run_dir("runs", ctx.runs.live_number(), s.method, s.step);
  // The curves first: when the folder cannot be written, nothing else happens.
  save_run_history(history_of(s), dir);
  ArchivedRun& kept = ctx.runs.keep_live(dir);
  ctx.watch(ctx.trainer.save_checkpoint(dir + "/checkpoint.ckpt"),
            "branched: " + kept.name + " saved in " + dir, "saving the branch in " + dir + ": ");
  return ctx.trainer.set(key, value, true);
}

}  // namespace scorelab::ui
