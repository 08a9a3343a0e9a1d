#pragma once
// Finished or running runs read back from their folders (metrics.csv and config.json), to lay
// their curves side by side: aligned by step or by wall time, each named by the settings in
// which it differs from the others.
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"

namespace scorelab {

struct RunHistory {
  std::string dir;
  bool has_config = false;
  Config config;
  std::vector<std::string> columns;       // metrics.csv's header: step, wall_s, train_s, …
  std::vector<std::vector<double>> rows;  // NaN where a cell is empty

  // The column's index, or -1.
  int column(const std::string& name) const;
  // (x, value) of every row where the metric has a value; x = step, or wall seconds.
  std::vector<std::pair<double, double>> curve(const std::string& metric, bool by_time) const;
};

// The folder's own name ("runs/lr-sweep/" → "lr-sweep").
std::string run_folder_name(const std::string& dir);

// metrics.csv's text into h.columns and h.rows; IoError names `csv_path` and the line of anything
// malformed. A last line cut short (a run killed mid-write) is dropped.
void parse_metrics_csv(const std::string& text, const std::string& csv_path, RunHistory& h);

// Reads dir/metrics.csv (required) and dir/config.json (when there); IoError names the file and
// line of anything malformed.
RunHistory read_run_history(const std::string& dir);

// For each run, the settings whose values are not the same in every run, as "key=value, …"
// (empty when all runs share every setting, or for runs without a config).
std::vector<std::string> differing_settings(const std::vector<RunHistory>& runs);

// What to compare when nobody said: sliced_w2 when a run has it, else an FID column, else the
// first loss.
std::string default_compare_metric(const std::vector<RunHistory>& runs);

// Every column with values in any of the runs, other than step, wall_s and train_s, sorted.
std::vector<std::string> metric_columns(const std::vector<RunHistory>& runs);

// The metric curves of `runs` as one CSV table: the union of the x values, one column per run.
std::string aligned_table(const std::vector<RunHistory>& runs,
                          const std::vector<std::string>& labels, const std::string& metric,
                          bool by_time);

}  // namespace scorelab
