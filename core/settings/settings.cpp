#include "settings/settings.h"

#include "common/error.h"
#include "data/data_sources.h"
#include "methods/method_registry.h"

namespace scorelab {

namespace {

// The checks between settings that need what a method or a data source is.
void check_fits(const Config& c) {
  check_sampler_fits(method_traits(c.method.name), c.sampler.kind);
  check_data_config(c.data);
}

}  // namespace

const Vocabulary& settings_vocabulary() {
  static const Vocabulary v = [] {
    Vocabulary out;
    for (const auto& m : method_registry()) out.methods.push_back(m.name);
    for (const auto& d : data_sources()) out.datasets.push_back(d.name);
    out.check = check_fits;
    return out;
  }();
  return v;
}

Config merge_json(const Config& base, const nlohmann::json& j, const std::string& source) {
  return merge_json(base, j, source, settings_vocabulary());
}
void validate(const Config& config) {
  validate(config, settings_vocabulary());
}
Config apply_setting(const Config& base, const std::string& assignment) {
  return apply_setting(base, assignment, settings_vocabulary());
}
Config apply_setting(const Config& base, const std::string& key, const std::string& value) {
  return apply_setting(base, key, value, settings_vocabulary());
}
Config apply_settings(const Config& base, const std::vector<std::string>& assignments) {
  return apply_settings(base, assignments, settings_vocabulary());
}
Config load_config_file(const std::string& path) {
  return load_config_file(path, settings_vocabulary());
}
Config parse_config_text(const std::string& text, const std::string& source) {
  return parse_config_text(text, source, settings_vocabulary());
}

const std::vector<FieldInfo>& list_fields() {
  static const std::vector<FieldInfo> fields = list_fields(settings_vocabulary());
  return fields;
}

const FieldInfo* find_field(const std::string& key) {
  return find_field(list_fields(), key);
}

}  // namespace scorelab
