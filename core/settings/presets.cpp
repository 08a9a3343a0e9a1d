#include "settings/presets.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "common/error.h"
#include "settings/settings.h"

namespace scorelab {

namespace fs = std::filesystem;

std::string presets_dir() {
  if (const char* env = std::getenv("SCORELAB_ASSETS")) return std::string(env) + "/presets";
  return std::string(SCORELAB_ASSETS_DIR) + "/presets";
}

std::vector<PresetInfo> list_presets() {
  std::vector<PresetInfo> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(presets_dir(), ec)) {
    if (e.path().extension() != ".json") continue;
    PresetInfo p;
    p.name = e.path().stem().string();
    p.path = e.path().string();
    try {
      p.description = load_config_file(p.path).description;
    } catch (const std::exception& ex) {
      p.description = std::string("(broken: ") + ex.what() + ")";
    }
    out.push_back(p);
  }
  std::sort(out.begin(), out.end(),
            [](const PresetInfo& a, const PresetInfo& b) { return a.name < b.name; });
  return out;
}

Config load_preset(const std::string& name) {
  const fs::path path = fs::path(presets_dir()) / (name + ".json");
  if (name.empty() || name.find('/') != std::string::npos || !fs::exists(path)) {
    std::string known;
    for (const auto& p : list_presets()) known += (known.empty() ? "" : ", ") + p.name;
    throw ConfigError("unknown preset '" + name + "' (known: " + known + ")");
  }
  return load_config_file(path.string());
}

}  // namespace scorelab
