#pragma once
// A run's output folder: config.json, metrics.csv (one row per csv period: step, wall and train
// time, each loss, each metric), checkpoint.ckpt, samples.png.
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"

namespace scorelab {

class RunDirectory {
 public:
  // Creates the folder (IoError names it when that fails) and removes the .tmp files a killed
  // write left there. continue_at >= 0 continues a run: metrics.csv keeps its rows up to that
  // step (a torn last line is dropped) and must have these columns; otherwise it starts empty.
  RunDirectory(std::string dir, const std::vector<std::string>& loss_names,
               const std::vector<std::string>& metric_names, int64_t continue_at = -1);

  const std::string& dir() const { return dir_; }
  std::string path(const std::string& file) const { return dir_ + "/" + file; }

  void write_config(const Config& config) const;
  // Appends one row; values missing from the maps are left empty.
  void append_metrics(int64_t step, double wall_s, double train_s,
                      const std::map<std::string, double>& losses,
                      const std::map<std::string, double>& metrics);

 private:
  std::string dir_;
  std::vector<std::string> loss_names_, metric_names_;
  std::ofstream csv_;
};

}  // namespace scorelab
