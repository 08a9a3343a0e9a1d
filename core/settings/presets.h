#pragma once
// Presets: JSON configs in assets/presets/, one file per preset, named NAME.json.
#include <string>
#include <vector>

#include "config/config.h"

namespace scorelab {

// $SCORELAB_ASSETS/presets when that variable is set, else the source tree's assets/presets.
std::string presets_dir();

struct PresetInfo {
  std::string name;
  std::string description;
  std::string path;
};
// Sorted by name. A preset that fails to load is listed with the error as its description.
std::vector<PresetInfo> list_presets();

// Throws ConfigError naming the preset and listing the known ones when it does not exist.
Config load_preset(const std::string& name);

}  // namespace scorelab
