#include "compare/run_history.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/atomic_file.h"
#include "common/error.h"
#include "settings/settings.h"

namespace scorelab {

using json = nlohmann::json;

namespace {

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, ',')) out.push_back(cell);
  if (!line.empty() && line.back() == ',') out.push_back("");
  return out;
}

// Dotted keys of every leaf of a JSON object.
void flatten(const json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, out);
  } else {
    out[prefix] = setting_text(j);
  }
}

// A cell as an error message shows it: at most 40 bytes.
std::string clipped(const std::string& cell) {
  return cell.size() > 40 ? cell.substr(0, 40) + "…" : cell;
}

std::string format_x(double x, bool by_time) {
  char buf[32];
  std::snprintf(buf, sizeof buf, by_time ? "%.3f" : "%.0f", x);
  return buf;
}

}  // namespace

int RunHistory::column(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return static_cast<int>(i);
  return -1;
}

std::vector<std::pair<double, double>> RunHistory::curve(const std::string& metric,
                                                         bool by_time) const {
  const int m = column(metric), x = column(by_time ? "wall_s" : "step");
  std::vector<std::pair<double, double>> out;
  if (m < 0 || x < 0) return out;
  for (const auto& r : rows)
    if (std::isfinite(r[m]) && std::isfinite(r[x])) out.emplace_back(r[x], r[m]);
  return out;
}

std::string run_folder_name(const std::string& dir) {
  std::filesystem::path p = std::filesystem::path(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  const std::string name = p.filename().string();
  return name.empty() ? dir : name;
}

void parse_metrics_csv(const std::string& text, const std::string& csv_path, RunHistory& h) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line.rfind("step,", 0) != 0) {
    throw IoError(csv_path + ": line 1 is not the header step,wall_s,…");
  }
  h.columns = split_commas(line);
  for (int64_t line_no = 2; std::getline(in, line); ++line_no) {
    if (line.empty()) continue;
    auto cells = split_commas(line);
    // A run killed mid-write may leave a last line cut short: it is dropped, not an error.
    if (cells.size() != h.columns.size()) {
      if (in.peek() == EOF) break;
      throw IoError(csv_path + ": line " + std::to_string(line_no) + " has " +
                    std::to_string(cells.size()) + " cells where the header has " +
                    std::to_string(h.columns.size()));
    }
    std::vector<double> row;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (cells[i].empty()) {
        row.push_back(std::numeric_limits<double>::quiet_NaN());
        continue;
      }
      try {
        size_t used = 0;
        row.push_back(std::stod(cells[i], &used));
        if (used != cells[i].size()) throw std::invalid_argument("trailing text");
      } catch (const std::exception&) {
        throw IoError(csv_path + ": line " + std::to_string(line_no) + ", column " +
                      clipped(h.columns[i]) + ": \"" + clipped(cells[i]) + "\" is not a number");
      }
    }
    h.rows.push_back(std::move(row));
  }
}

RunHistory read_run_history(const std::string& dir) {
  namespace fs = std::filesystem;
  RunHistory h;
  h.dir = dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw IoError(dir + ": not a run folder (no such folder)");
  const std::string csv_path = dir + "/metrics.csv";
  if (!fs::exists(csv_path, ec)) throw IoError(dir + ": not a run folder (no metrics.csv)");
  parse_metrics_csv(read_file(csv_path, int64_t{1} << 30), csv_path, h);
  if (fs::exists(dir + "/config.json", ec)) {
    h.config = load_config_file(dir + "/config.json");
    h.has_config = true;
  }
  return h;
}

std::vector<std::string> differing_settings(const std::vector<RunHistory>& runs) {
  std::vector<std::map<std::string, std::string>> flat(runs.size());
  std::set<std::string> keys;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!runs[i].has_config) continue;
    flatten(to_json(runs[i].config), "", flat[i]);
    for (const auto& kv : flat[i]) keys.insert(kv.first);
  }
  std::vector<std::string> differing;
  for (const auto& k : keys) {
    std::set<std::string> values;
    for (size_t i = 0; i < runs.size(); ++i)
      if (runs[i].has_config) values.insert(flat[i].count(k) ? flat[i][k] : "");
    if (values.size() > 1) differing.push_back(k);
  }
  std::vector<std::string> labels(runs.size());
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!runs[i].has_config) continue;
    for (const auto& k : differing) {
      labels[i] += (labels[i].empty() ? "" : ", ") + k + "=" + flat[i][k];
    }
  }
  return labels;
}

std::string default_compare_metric(const std::vector<RunHistory>& runs) {
  for (const auto& r : runs)
    if (!r.curve("sliced_w2", false).empty()) return "sliced_w2";
  for (const auto& r : runs)
    for (const auto& c : r.columns)
      if (c.rfind("fid", 0) == 0 && c.find("floor") == std::string::npos) return c;
  for (const auto& r : runs)
    for (const auto& c : r.columns)
      if (c.rfind("loss_", 0) == 0) return c;
  return "sliced_w2";
}

std::vector<std::string> metric_columns(const std::vector<RunHistory>& runs) {
  std::set<std::string> names;
  for (const auto& r : runs) {
    for (const auto& c : r.columns) {
      if (c == "step" || c == "wall_s" || c == "train_s" || names.count(c)) continue;
      if (!r.curve(c, false).empty()) names.insert(c);
    }
  }
  return {names.begin(), names.end()};
}

std::string aligned_table(const std::vector<RunHistory>& runs,
                          const std::vector<std::string>& labels, const std::string& metric,
                          bool by_time) {
  std::vector<std::map<double, double>> curves(runs.size());
  std::set<double> xs;
  for (size_t i = 0; i < runs.size(); ++i) {
    for (const auto& [x, v] : runs[i].curve(metric, by_time)) {
      curves[i][x] = v;
      xs.insert(x);
    }
  }
  auto quoted = [](const std::string& s) {
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  std::string out = by_time ? "wall_s" : "step";
  for (size_t i = 0; i < runs.size(); ++i) out += "," + quoted(labels[i]);
  out += "\n";
  char buf[32];
  for (double x : xs) {
    out += format_x(x, by_time);
    for (const auto& c : curves) {
      auto it = c.find(x);
      if (it == c.end()) {
        out += ",";
      } else {
        std::snprintf(buf, sizeof buf, ",%.9g", it->second);
        out += buf;
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace scorelab
