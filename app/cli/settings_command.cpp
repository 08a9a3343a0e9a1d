// `scorelab-cli settings`: every key that --set accepts, with its value, range and meaning;
// `scorelab-cli methods`: the method registry.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "methods/method_registry.h"
#include "settings/presets.h"
#include "settings/settings.h"

namespace scorelab::cli {

namespace {

std::string range_text(const FieldInfo& f) {
  if (f.type == "choice") {
    std::string s;
    for (const auto& o : f.options) s += (s.empty() ? "" : "|") + o;
    return s;
  }
  if (f.type == "flag") return "true|false";
  if (f.type == "text") return "text";
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s%.10g, %.10g%s", f.lo_open ? "(" : "[", f.lo, f.hi,
                f.hi_open ? ")" : "]");
  return f.type == "numbers" ? std::string("list in ") + buf : std::string(buf);
}

}  // namespace

Runner add_settings_command(CLI::App& app) {
  auto preset = std::make_shared<std::string>();
  auto* sub = app.add_subcommand(
      "settings", "List every setting --set accepts: value, allowed range, live or reset");
  sub->add_option("--preset", *preset, "show this preset's values (default: built-in defaults)");
  return [preset]() -> int {
    const Config config = preset->empty() ? Config{} : load_preset(*preset);
    const nlohmann::json values = to_json(config);
    // The description is prose, not a setting to tune.
    std::vector<FieldInfo> fields;
    for (auto& f : list_fields())
      if (f.key != "description") fields.push_back(std::move(f));
    size_t wk = 0, wv = 0, wr = 0;
    std::vector<std::string> shown;
    for (const auto& f : fields) {
      const auto* v = find_setting(values, f.key);
      shown.push_back(v ? setting_text(*v) : "");
      wk = std::max(wk, f.key.size());
      wv = std::max(wv, shown.back().size());
      wr = std::max(wr, range_text(f).size());
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      const auto& f = fields[i];
      std::printf("%-*s  %-*s  %-*s  %-5s  %s\n", static_cast<int>(wk), f.key.c_str(),
                  static_cast<int>(wv), shown[i].c_str(), static_cast<int>(wr),
                  range_text(f).c_str(), f.live ? "live" : "reset", f.doc.c_str());
    }
    return 0;
  };
}

Runner add_methods_command(CLI::App& app) {
  app.add_subcommand("methods", "List the training methods: samplers, losses and networks of each");
  return []() -> int {
    for (const auto& m : method_registry()) {
      std::string samplers = m.has_generator ? "onestep" : "";
      if (!m.data_score_model.empty())
        samplers += samplers.empty() ? "annealed, langevin" : ", annealed, langevin";
      auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
        return s;
      };
      std::printf("%s  %s\n  samplers: %s; losses: %s; networks: %s\n", m.name.c_str(),
                  m.summary.c_str(), samplers.c_str(), join(m.loss_names).c_str(),
                  join(m.networks).c_str());
    }
    return 0;
  };
}

}  // namespace scorelab::cli
