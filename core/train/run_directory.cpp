#include "train/run_directory.h"

#include <iomanip>

#include "common/atomic_file.h"
#include "common/error.h"
#include "config/config_io.h"

namespace scorelab {

RunDirectory::RunDirectory(std::string dir, const std::vector<std::string>& loss_names,
                           const std::vector<std::string>& metric_names)
    : dir_(std::move(dir)), loss_names_(loss_names), metric_names_(metric_names) {
  make_dirs(dir_);
  const std::string csv_path = path("metrics.csv");
  csv_.open(csv_path, std::ios::trunc);
  if (!csv_) throw IoError("cannot write " + csv_path);
  csv_ << "step,wall_s,train_s";
  for (const auto& n : loss_names_) csv_ << ",loss_" << n;
  for (const auto& n : metric_names_) csv_ << "," << n;
  csv_ << "\n";
  csv_.flush();
}

void RunDirectory::write_config(const Config& config) const {
  save_config_file(config, path("config.json"));
}

void RunDirectory::append_metrics(int64_t step, double wall_s, double train_s,
                                  const std::map<std::string, double>& losses,
                                  const std::map<std::string, double>& metrics) {
  csv_ << step << "," << std::setprecision(6) << wall_s << "," << train_s;
  csv_ << std::setprecision(8);
  for (const auto& n : loss_names_) {
    csv_ << ",";
    auto it = losses.find(n);
    if (it != losses.end()) csv_ << it->second;
  }
  for (const auto& n : metric_names_) {
    csv_ << ",";
    auto it = metrics.find(n);
    if (it != metrics.end()) csv_ << it->second;
  }
  csv_ << "\n";
  csv_.flush();  // a whole row per flush: readers never see half a row
}

}  // namespace scorelab
