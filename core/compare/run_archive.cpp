#include "compare/run_archive.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "common/atomic_file.h"
#include "common/error.h"
#include "settings/settings.h"

namespace scorelab {

namespace {

// Linear interpolation of the clock at `step`, held flat beyond its ends; NaN without a clock.
double clock_at(const Series& clock, int64_t step) {
  const auto& xs = clock.steps;
  if (xs.empty()) return std::numeric_limits<double>::quiet_NaN();
  auto hi = std::lower_bound(xs.begin(), xs.end(), step);
  if (hi == xs.begin()) {
    // Before the first reading: scale it down (a run starts at 0 s, unless it was loaded).
    return xs.front() > 0 && clock.values.front() >= 0
               ? clock.values.front() * static_cast<double>(step) / xs.front()
               : clock.values.front();
  }
  if (hi == xs.end()) return clock.values.back();
  const size_t k = static_cast<size_t>(hi - xs.begin());
  const double t = static_cast<double>(step - xs[k - 1]) / static_cast<double>(xs[k] - xs[k - 1]);
  return clock.values[k - 1] + t * (clock.values[k] - clock.values[k - 1]);
}

std::string cell(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

RunHistory history_of(const Snapshot& s) {
  RunHistory h;
  h.config = s.config;
  h.has_config = true;
  h.columns = {"step", "wall_s"};
  std::vector<const Series*> series;
  for (const auto& l : s.losses) {
    h.columns.push_back("loss_" + l.name);
    series.push_back(&l);
  }
  for (const auto& m : s.metrics) {
    h.columns.push_back(m.name);
    series.push_back(&m);
  }
  std::set<int64_t> steps;
  for (const Series* x : series) steps.insert(x->steps.begin(), x->steps.end());
  std::map<int64_t, size_t> row_of;
  for (int64_t step : steps) {
    row_of[step] = h.rows.size();
    std::vector<double> row(h.columns.size(), std::numeric_limits<double>::quiet_NaN());
    row[0] = static_cast<double>(step);
    row[1] = clock_at(s.clock, step);
    h.rows.push_back(std::move(row));
  }
  for (size_t c = 0; c < series.size(); ++c) {
    const Series& x = *series[c];
    for (size_t k = 0; k < x.steps.size(); ++k) h.rows[row_of[x.steps[k]]][c + 2] = x.values[k];
  }
  return h;
}

void save_run_history(const RunHistory& h, const std::string& dir) {
  make_dirs(dir);
  if (h.has_config) save_config_file(h.config, dir + "/config.json");
  std::string csv;
  for (size_t i = 0; i < h.columns.size(); ++i) csv += (i ? "," : "") + h.columns[i];
  csv += "\n";
  for (const auto& row : h.rows) {
    for (size_t i = 0; i < row.size(); ++i) csv += (i ? "," : "") + cell(row[i]);
    csv += "\n";
  }
  write_file_atomically(dir + "/metrics.csv", csv);
}

void RunArchive::observe(std::shared_ptr<const Snapshot> s, bool keep_previous) {
  if (!s) return;
  if (!latest_ || s->run_id != latest_->run_id) {
    if (keep_previous && latest_ && !latest_kept_ && latest_->step > 0) keep(*latest_, false, "");
    latest_kept_ = false;
    live_number_ = next_number_++;
  }
  latest_ = std::move(s);
}

ArchivedRun& RunArchive::keep_live(const std::string& dir) {
  if (!latest_) throw ConfigError("there is no live run to keep yet");
  ArchivedRun& r = keep(*latest_, true, dir);
  latest_kept_ = true;
  return r;
}

ArchivedRun* RunArchive::find(int number) {
  for (auto& r : runs_)
    if (r.number == number) return &r;
  return nullptr;
}

ArchivedRun& RunArchive::add(RunHistory h) {
  ArchivedRun r;
  r.number = next_number_++;
  r.name = "run " + std::to_string(r.number) + ": " + run_folder_name(h.dir);
  r.history = std::move(h);
  r.shown = true;
  runs_.push_back(std::move(r));
  return runs_.back();
}

ArchivedRun& RunArchive::keep(const Snapshot& s, bool shown, const std::string& dir) {
  ArchivedRun r;
  r.number = live_number_;
  const std::string data = s.config.data.path.empty()
                               ? s.config.data.name
                               : std::filesystem::path(s.config.data.path).filename().string();
  r.name = "run " + std::to_string(r.number) + ": " + s.config.method.name + " on " + data + ", " +
           std::to_string(s.step) + " steps";
  r.history = history_of(s);
  r.history.dir = dir;
  r.shown = shown;
  runs_.push_back(std::move(r));
  // Drawing restarts a run at each stroke: past a bound, the oldest run that is neither shown
  // nor saved goes.
  if (runs_.size() > kMaxRuns) {
    auto old = std::find_if(runs_.begin(), runs_.end(),
                            [](const ArchivedRun& a) { return !a.shown && a.history.dir.empty(); });
    if (old != runs_.end() - 1 && old != runs_.end()) runs_.erase(old);
  }
  return runs_.back();
}

const RunHistory& RunArchive::live() {
  if (latest_ && latest_->version != live_version_) {
    live_ = history_of(*latest_);
    live_version_ = latest_->version;
  }
  return live_;
}

}  // namespace scorelab
