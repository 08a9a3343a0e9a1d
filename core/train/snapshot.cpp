#include "train/snapshot.h"

namespace scorelab {

const char* to_string(RunState state) {
  switch (state) {
    case RunState::paused: return "paused";
    case RunState::running: return "running";
    case RunState::finished: return "finished";
    case RunState::error: return "error";
  }
  return "?";
}

namespace {
const Series* find(const std::vector<Series>& v, const std::string& name) {
  for (const auto& s : v)
    if (s.name == name) return &s;
  return nullptr;
}
}  // namespace

const Series* Snapshot::metric(const std::string& name) const {
  return find(metrics, name);
}

}  // namespace scorelab
