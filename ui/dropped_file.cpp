#include "dropped_file.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "common/error.h"
#include "data/data_sources.h"
#include "settings/presets.h"
#include "settings/settings.h"

namespace scorelab::ui {

namespace fs = std::filesystem;

namespace {

std::string lower_extension(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e;
}

// The current config when it is on the same kind of data, else the method's preset for it.
Config base_for(const Config& current, bool images) {
  if (is_image_data(current.data.name) == images) return current;
  const std::string& m = current.method.name;
  for (const std::string& name :
       images ? std::vector<std::string>{"fmnist-" + m + "-cpu", "fmnist-smt-cpu"}
              : std::vector<std::string>{"swissroll-" + m, "swissroll-smt"}) {
    try {
      return load_preset(name);
    } catch (const ConfigError&) {
      // No such preset for this method: the next one.
    }
  }
  return current;
}

}  // namespace

DropAction plan_drop(const std::string& path, const Config& current) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw ConfigError(path + ": no such file or folder");
  DropAction a;
  const std::string name = fs::path(path).filename().string();
  if (fs::is_directory(path, ec)) {
    const bool has_curves = fs::exists(fs::path(path) / "metrics.csv", ec);
    if (has_curves) a.run_folder = path;
    if (fs::exists(fs::path(path) / "checkpoint.ckpt", ec)) {
      a.kind = DropAction::Kind::checkpoint;
      a.path = (fs::path(path) / "checkpoint.ckpt").string();
      a.notice = "run folder " + path + " opened from its checkpoint";
      return a;
    }
    if (has_curves) {
      a.kind = DropAction::Kind::curves_only;
      a.notice = "run folder " + path + " listed beside the live run (it has no checkpoint)";
      return a;
    }
    a.config =
        apply_settings(base_for(current, true), {"data.name=image-folder", "data.path=" + path});
    a.notice = "images from " + path;
    return a;
  }
  const std::string ext = lower_extension(path);
  if (ext == ".csv" || ext == ".tsv" || ext == ".txt" || ext == ".npy") {
    a.config = apply_settings(base_for(current, false), {"data.name=points", "data.path=" + path});
    a.notice = "points from " + name;
  } else if (ext == ".json") {
    a.config = load_config_file(path);
    a.notice = "config " + name + " loaded";
  } else if (ext == ".ckpt") {
    a.kind = DropAction::Kind::checkpoint;
    a.path = path;
    a.notice = "checkpoint " + name + " loaded";
  } else {
    throw ConfigError(path +
                      ": scorelab opens points (.csv, .tsv, .txt, .npy), folders of "
                      "images, run folders, configs (.json) and checkpoints (.ckpt)");
  }
  return a;
}

}  // namespace scorelab::ui
