#pragma once
// The settings as everything above methods and data reads them: config_io.h's validating
// functions with the vocabulary of the method and data-source registries (method.name's and
// data.name's choices, whether a sampler fits a method, whether a data source has its path).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_io.h"

namespace scorelab {

// Built once from methods/method_registry.h and data/data_sources.h.
const Vocabulary& settings_vocabulary();

// See config_io.h for what each does.
Config merge_json(const Config& base, const nlohmann::json& j,
                  const std::string& source = "config");
void validate(const Config& config);
Config apply_setting(const Config& base, const std::string& assignment);
Config apply_setting(const Config& base, const std::string& key, const std::string& value);
Config apply_settings(const Config& base, const std::vector<std::string>& assignments);
Config load_config_file(const std::string& path);
Config parse_config_text(const std::string& text, const std::string& source);

// Every field, in schema order (built once).
const std::vector<FieldInfo>& list_fields();
// The field with this dotted key, or nullptr.
const FieldInfo* find_field(const std::string& key);

}  // namespace scorelab
