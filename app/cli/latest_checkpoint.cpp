#include "cli/latest_checkpoint.h"

#include <filesystem>

#include "common/error.h"

namespace scorelab::cli {

namespace fs = std::filesystem;

std::string latest_checkpoint() {
  std::string best;
  fs::file_time_type best_time;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("runs", ec)) {
    const fs::path p = e.path() / "checkpoint.ckpt";
    if (!fs::exists(p, ec)) continue;
    const auto t = fs::last_write_time(p, ec);
    if (best.empty() || t > best_time) {
      best = p.string();
      best_time = t;
    }
  }
  if (best.empty()) {
    throw IoError("no --checkpoint given and no runs/*/checkpoint.ckpt found; train first");
  }
  return best;
}

}  // namespace scorelab::cli
