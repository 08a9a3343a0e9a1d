#include "run_watcher.h"

#include "common/error.h"
#include "compare/run_history.h"

namespace scorelab::ui {

namespace fs = std::filesystem;

RunWatcher::RunWatcher(std::string dir) : dir_(std::move(dir)) {}

RunWatcher::Stamp RunWatcher::stamp_of(const fs::path& p) {
  std::error_code ec;
  Stamp s;
  s.size = fs::file_size(p, ec);
  if (ec) return {};
  const auto t = fs::last_write_time(p, ec);
  if (ec) return {};
  s.mtime = static_cast<int64_t>(t.time_since_epoch().count());
  return s;
}

void RunWatcher::read_curves(AppContext& ctx) {
  RunHistory h;
  try {
    h = read_run_history(dir_);
  } catch (const std::exception& e) {
    // Caught mid-write or not there yet: the next look tries again.
    ctx.notice = "watching " + dir_ + ": " + error_message(e);
    return;
  }
  ArchivedRun* r = run_number_ ? ctx.runs.find(run_number_) : nullptr;
  if (r) {
    r->history = std::move(h);
  } else {
    run_number_ = ctx.runs.add(std::move(h)).number;
  }
}

void RunWatcher::poll(AppContext& ctx) {
  if (loading_.valid() && is_ready(loading_)) {
    const std::string why = why_refused(loading_);
    ctx.notice = why.empty() ? "watching " + dir_ + ": loaded " + loading_what_
                             : "watching " + dir_ + ": " + loading_what_ + " did not load: " + why;
  }
  if (ctx.now - last_look_ < 1.0) return;
  last_look_ = ctx.now;
  const fs::path dir(dir_);
  const Stamp m = stamp_of(dir / "metrics.csv");
  if (!(m == metrics_)) {
    metrics_ = m;
    if (m.size > 0) read_curves(ctx);
  }
  // checkpoint.ckpt is replaced by a rename, so a new stamp is a whole new file.
  const Stamp c = stamp_of(dir / "checkpoint.ckpt");
  if (!(c == checkpoint_) && c.size > 0 && !loading_.valid()) {
    checkpoint_ = c;
    loading_what_ = "checkpoint.ckpt";
    loading_ = ctx.trainer.load_checkpoint((dir / "checkpoint.ckpt").string());
  }
}

}  // namespace scorelab::ui
