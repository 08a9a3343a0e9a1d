#pragma once
// JSON round trip, validation and live edits of Config, all driven by config_schema.h. What
// validates takes the Vocabulary of method and data-source names from the layer above:
// settings/settings.h offers these functions without it, with the registries' vocabulary.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "config/config.h"
#include "config/vocabulary.h"

namespace scorelab {

nlohmann::json to_json(const Config& config);

// Reads keys present in `j` on top of `base` (missing keys keep base's values), then validates.
// Unknown keys, wrong types and out-of-range values throw ConfigError naming `source` and the key.
Config merge_json(const Config& base, const nlohmann::json& j, const std::string& source,
                  const Vocabulary& vocabulary);

// Throws ConfigError naming the first bad field, its value and the allowed range.
void validate(const Config& config, const Vocabulary& vocabulary);

// The one rule for a setting typed as text (--set, the app's controls and scripts, Trainer::set):
// text and choice fields take the text as it is; every other key parses it as JSON (numbers,
// true/false, [lists]) and falls back to the text, so that validation names a wrong type.
nlohmann::json setting_value(const std::string& key, const std::string& text);
// The value at a dotted key (e.g. "optim.lr_score") of a JSON config, or nullptr.
const nlohmann::json* find_setting(const nlohmann::json& config_json, const std::string& key);
// A value as a user would type it: strings bare, lists "0, 0.5, 1", numbers and flags as JSON.
std::string setting_text(const nlohmann::json& value);

// Applies `key=value` (dotted key, e.g. optim.lr_score=3e-4), the value read by setting_value.
Config apply_setting(const Config& base, const std::string& assignment,
                     const Vocabulary& vocabulary);
Config apply_setting(const Config& base, const std::string& key, const std::string& value,
                     const Vocabulary& vocabulary);
// Several `key=value` at once, checked together: data.name=points with data.path=… is valid as a
// pair though neither is alone.
Config apply_settings(const Config& base, const std::vector<std::string>& assignments,
                      const Vocabulary& vocabulary);

// Builds the partial JSON object {"a":{"b":value}} for key "a.b".
nlohmann::json partial_json(const std::string& key, const nlohmann::json& value);
// partial_json(key, setting_value(key, text)).
nlohmann::json partial_setting(const std::string& key, const std::string& text);

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
// Every field, in schema order, method.name and data.name with the vocabulary's choices.
std::vector<FieldInfo> list_fields(const Vocabulary& vocabulary);
// The field of `fields` with this dotted key, or nullptr.
const FieldInfo* find_field(const std::vector<FieldInfo>& fields, const std::string& key);

// Whether two data configs read the same images (same set, file, padding and limit).
bool same_images(const DataConfig& a, const DataConfig& b);

// Dotted keys whose values differ between a and b.
std::vector<std::string> changed_keys(const Config& a, const Config& b);
// The subset of changed_keys that cannot apply without a reset.
std::vector<std::string> reset_keys(const Config& a, const Config& b);

// Reads a config or preset JSON file (on top of the defaults) and validates it: at most 16 MiB,
// strict JSON (a key twice in one object is refused). Throws ConfigError / IoError.
Config load_config_file(const std::string& path, const Vocabulary& vocabulary);
// The same over the file's text; `source` names it in messages.
Config parse_config_text(const std::string& text, const std::string& source,
                         const Vocabulary& vocabulary);
// Writes it atomically, pretty-printed.
void save_config_file(const Config& config, const std::string& path);

}  // namespace scorelab
