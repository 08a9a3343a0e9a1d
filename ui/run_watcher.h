#pragma once
// `scorelab --watch runs/NAME`: follows a run folder another process is writing (rank 0 of a
// cluster run, a CLI run): its metrics.csv becomes a run in the curves' overlay, and each new
// checkpoint.ckpt is loaded into the app's (paused) Trainer, so the score fields and samples are
// the latest weights'. The app only reads the folder.
#include <cstdint>
#include <filesystem>
#include <future>
#include <string>

#include "app_context.h"

namespace scorelab::ui {

class RunWatcher {
 public:
  explicit RunWatcher(std::string dir);

  // Once a frame; looks at the folder at most once a second.
  void poll(AppContext& ctx);
  const std::string& dir() const { return dir_; }

 private:
  // What tells that a file changed: its size and modification time (0 = absent).
  struct Stamp {
    std::uintmax_t size = 0;
    int64_t mtime = 0;
    bool operator==(const Stamp& o) const { return size == o.size && mtime == o.mtime; }
  };
  static Stamp stamp_of(const std::filesystem::path& p);
  void read_curves(AppContext& ctx);

  std::string dir_;
  double last_look_ = -1e9;
  Stamp metrics_, checkpoint_;
  int run_number_ = 0;  // the folder's entry in ctx.runs (0 = none yet)
  std::future<void> loading_;
  std::string loading_what_;
};

}  // namespace scorelab::ui
