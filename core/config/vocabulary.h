#pragma once
// What the settings layer below methods and data cannot know: the names method.name and
// data.name may take, and the checks that need to know what a method or a data source is (a
// sampler that fits the method, a data source that needs a path). The layer above, which holds
// the method and data-source registries (settings/settings.h), hands it to the functions of
// config_io.h that validate.
#include <functional>
#include <string>
#include <vector>

namespace scorelab {

struct Config;

struct Vocabulary {
  std::vector<std::string> methods;   // method.name's choices
  std::vector<std::string> datasets;  // data.name's choices
  // Throws ConfigError naming the settings that do not go together; run after every range check.
  std::function<void(const Config&)> check;
};

}  // namespace scorelab
