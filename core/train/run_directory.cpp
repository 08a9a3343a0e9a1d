#include "train/run_directory.h"

#include <filesystem>
#include <iomanip>
#include <sstream>

#include "common/atomic_file.h"
#include "common/error.h"
#include "settings/settings.h"

namespace scorelab {

namespace {

// A killed process can leave `checkpoint.ckpt.tmp` and the like (write_file_atomically's
// temporaries); they are never a finished file.
void remove_stale_temporaries(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& p = it->path();
    std::error_code ignored;
    if (p.extension() == ".tmp" && it->is_regular_file(ignored)) fs::remove(p, ignored);
  }
}

// metrics.csv's rows up to `step` (the header must be `header`); a torn last line is dropped.
std::string rows_up_to(const std::string& csv_path, const std::string& header, int64_t step) {
  std::error_code ec;
  if (!std::filesystem::exists(csv_path, ec)) return header + "\n";
  std::istringstream in(read_file(csv_path, 1LL << 30));
  std::string line, kept = header + "\n";
  if (!std::getline(in, line) || line != header) {
    throw IoError(csv_path + ": its columns (" + line.substr(0, 200) + ") are not this run's (" +
                  header + "); give another --out");
  }
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline after it: cut short by a kill
    const auto comma = line.find(',');
    try {
      if (std::stoll(line.substr(0, comma)) > step) break;
    } catch (const std::exception&) {
      break;
    }
    kept += line + "\n";
  }
  return kept;
}

}  // namespace

RunDirectory::RunDirectory(std::string dir, const std::vector<std::string>& loss_names,
                           const std::vector<std::string>& metric_names, int64_t continue_at)
    : dir_(std::move(dir)), loss_names_(loss_names), metric_names_(metric_names) {
  make_dirs(dir_);
  remove_stale_temporaries(dir_);
  const std::string csv_path = path("metrics.csv");
  std::string header = "step,wall_s,train_s";
  for (const auto& n : loss_names_) header += ",loss_" + n;
  for (const auto& n : metric_names_) header += "," + n;
  write_file_atomically(
      csv_path, continue_at >= 0 ? rows_up_to(csv_path, header, continue_at) : header + "\n");
  csv_.open(csv_path, std::ios::app);
  if (!csv_) throw IoError("cannot write " + csv_path);
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
