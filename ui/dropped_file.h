#pragma once
// What a file or folder dropped on the window (or named by the script's `drop`) opens: points
// (CSV/TSV/.npy) or a folder of images as the run's data, a config JSON, or a checkpoint.
#include <string>

#include "config/config.h"

namespace scorelab::ui {

struct DropAction {
  enum class Kind { config, checkpoint } kind = Kind::config;
  Config config;       // Kind::config: the run to start
  std::string path;    // Kind::checkpoint: the file to load
  std::string notice;  // what the user is told, e.g. "points from heart.csv"
};

// Throws ConfigError naming the path when scorelab opens nothing of its kind. Data keeps the
// current method and settings when they fit it (points after points, images after images);
// otherwise the method's preset for that kind of data is the base (swissroll-…, fmnist-…-cpu).
DropAction plan_drop(const std::string& path, const Config& current);

}  // namespace scorelab::ui
