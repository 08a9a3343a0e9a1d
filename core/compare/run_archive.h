#pragma once
// The runs an app session has made or opened, kept for side-by-side curves: every run the live
// Trainer finishes with (a reset, another config, a loaded checkpoint) is kept as its history,
// and run folders can be added. The live run reads as a history too, so the same overlay code
// serves both.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compare/run_history.h"
#include "train/snapshot.h"

namespace scorelab {

// A snapshot's curves as a metrics.csv would hold them: step, wall_s, loss_<name>…, metrics…;
// one row per step that any curve has, wall_s interpolated from the run's clock.
RunHistory history_of(const Snapshot& s);

// Writes h's config.json (when it has one) and metrics.csv into dir, each file atomically.
void save_run_history(const RunHistory& h, const std::string& dir);

struct ArchivedRun {
  int number = 0;      // "run 3": the order runs were seen in; opened folders count too
  std::string name;    // "run 3: smt on swissroll, 4000 steps" or the folder's name
  RunHistory history;  // its dir is where it was saved or opened from ("" = only in memory)
  bool shown = false;  // overlaid on the live run
};

class RunArchive {
 public:
  // Runs kept in memory at most; beyond, the oldest neither shown nor saved is dropped.
  static constexpr size_t kMaxRuns = 100;

  // Called with each frame's snapshot. When it belongs to a new run, the previous run is kept
  // (if it trained at least one step) as of the last snapshot seen of it.
  // With keep_previous false (the app watching a folder reloads its checkpoints) nothing is kept.
  void observe(std::shared_ptr<const Snapshot> s, bool keep_previous = true);
  // Keeps the live run now, shown, saved in `dir` (a branch: the live run is about to be
  // replaced); the later change of run does not keep it a second time.
  ArchivedRun& keep_live(const std::string& dir);
  // Keeps a run read from a folder, shown.
  ArchivedRun& add(RunHistory h);
  // The kept run with this number, or null (dropped by the bound).
  ArchivedRun* find(int number);

  std::vector<ArchivedRun>& runs() { return runs_; }
  const std::vector<ArchivedRun>& runs() const { return runs_; }
  int live_number() const { return live_number_; }
  // The live run's history (rebuilt when a newer snapshot came); empty before observe.
  const RunHistory& live();

 private:
  ArchivedRun& keep(const Snapshot& s, bool shown, const std::string& dir);

  std::vector<ArchivedRun> runs_;
  std::shared_ptr<const Snapshot> latest_;
  bool latest_kept_ = false;
  int live_number_ = 0, next_number_ = 1;
  RunHistory live_;
  uint64_t live_version_ = 0;
};

}  // namespace scorelab
