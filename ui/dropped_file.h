#pragma once
// What a file or folder dropped on the window (or named by the script's `drop`) opens: points
// (CSV/TSV/.npy) or a folder of images as the run's data, a config JSON, a checkpoint, or a run
// folder (its checkpoint resumes, its curves are listed beside the live run).
#include <string>

#include "config/config.h"

namespace scorelab::ui {

struct DropAction {
  // curves_only: a run folder without a checkpoint; its curves join the run list, nothing loads.
  enum class Kind { config, checkpoint, curves_only } kind = Kind::config;
  Config config;           // Kind::config: the run to start
  std::string path;        // Kind::checkpoint: the file to load
  std::string run_folder;  // a run folder with metrics.csv: its curves join the run list
  std::string notice;      // what the user is told, e.g. "points from heart.csv"
};

// Throws ConfigError naming the path when scorelab opens nothing of its kind. Data keeps the
// current method and settings when they fit it (points after points, images after images);
// otherwise the method's preset for that kind of data is the base (swissroll-…, fmnist-…-cpu).
DropAction plan_drop(const std::string& path, const Config& current);

}  // namespace scorelab::ui
