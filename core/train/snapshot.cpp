#include "train/snapshot.h"

#include <chrono>

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

void SnapshotChannel::publish(std::shared_ptr<Snapshot> snapshot) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    snapshot->version = ++version_;
    latest_ = std::move(snapshot);
  }
  cv_.notify_all();
}

std::shared_ptr<const Snapshot> SnapshotChannel::latest() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return latest_;
}

std::shared_ptr<const Snapshot> SnapshotChannel::wait_for(
    const std::function<bool(const Snapshot&)>& pred, double timeout_s) const {
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
               [&] { return latest_ && pred(*latest_); });
  return latest_;
}

}  // namespace scorelab
