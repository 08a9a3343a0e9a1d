#pragma once
// JSON round trip, validation and live edits of Config, all driven by config_schema.h.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "config/config.h"

namespace scorelab {

nlohmann::json to_json(const Config& config);

// Reads keys present in `j` on top of `base` (missing keys keep base's values), then validates.
// Unknown keys, wrong types and out-of-range values throw ConfigError naming `source` and the key.
Config merge_json(const Config& base, const nlohmann::json& j,
                  const std::string& source = "config");

// Throws ConfigError naming the first bad field, its value and the allowed range.
void validate(const Config& config);

// Applies `key=value` (dotted key, e.g. optim.lr_score=3e-4); the value is parsed as JSON when it
// can be (numbers, true/false), else taken as a string.
Config apply_setting(const Config& base, const std::string& assignment);
Config apply_setting(const Config& base, const std::string& key, const std::string& value);

// Builds the partial JSON object {"a":{"b":value}} for key "a.b".
nlohmann::json partial_json(const std::string& key, const nlohmann::json& value);

// One entry per field: for help texts, the app's controls and deciding what needs a reset.
struct FieldInfo {
  std::string key;   // dotted path
  std::string type;  // number, integer, flag, choice, text, numbers
  double lo = 0, hi = 0;
  bool lo_open = false, hi_open = false;
  std::vector<std::string> options;
  bool live = true;  // false: a change needs a reset of the run
  std::string doc;
};
std::vector<FieldInfo> list_fields();

// Dotted keys whose values differ between a and b.
std::vector<std::string> changed_keys(const Config& a, const Config& b);
// The subset of changed_keys that cannot apply without a reset.
std::vector<std::string> reset_keys(const Config& a, const Config& b);

// Reads a config or preset JSON file (on top of the defaults) and validates it.
Config load_config_file(const std::string& path);
// Writes it atomically, pretty-printed.
void save_config_file(const Config& config, const std::string& path);

}  // namespace scorelab
