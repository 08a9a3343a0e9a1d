#include "script_parser.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>

#include "common/error.h"

namespace scorelab::ui {

namespace {

// Command → number of arguments.
const std::map<std::string, size_t>& arity() {
  static const std::map<std::string, size_t> a = {
      {"preset", 1},         {"load", 1},           {"set", 2},
      {"set!", 2},           {"play", 0},           {"resume", 0},
      {"pause", 0},          {"reset", 0},          {"step", 1},
      {"wait", 1},           {"frames", 1},         {"until-step", 1},
      {"screenshot", 1},     {"save", 1},           {"load-checkpoint", 1},
      {"langevin", 0},       {"langevin-exact", 0}, {"screenshot-panel", 2},
      {"expect", 2},         {"print", 1},          {"quit", 0},
      {"drop", 1},           {"stroke", 2},         {"branch", 2},
      {"open-run", 1},       {"overlay", 1},        {"overlay-by", 1},
      {"overlay-metric", 1}, {"print-overlay", 0},  {"save-samples", 1},
      {"print-stats", 0},    {"timeout", 1}};
  return a;
}

// The numbers a command takes, checked when the script is read rather than when it gets there.
void check_numbers(const ScriptLine& l) {
  const std::string& c = l.command;
  if (c == "step" || c == "until-step") parse_script_count(l.args[0], 0, kMaxScriptCount);
  if (c == "frames") parse_script_count(l.args[0], 1, kMaxScriptCount);
  if (c == "wait") parse_script_seconds(l.args[0]);
  if (c == "timeout") parse_script_timeout(l.args[0]);
}

// A finite decimal number of seconds and nothing after it, at most kMaxScriptWaitSeconds; 0 only
// where allowed.
double parse_seconds(const std::string& text, bool zero_allowed) {
  char* end = nullptr;
  const double v = text.empty() ? -1 : std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v < 0 ||
      (v == 0 && !zero_allowed) || v > kMaxScriptWaitSeconds) {
    throw ConfigError("\"" + text + "\" is not a number of seconds in " +
                      (zero_allowed ? "[0, " : "(0, ") +
                      std::to_string(static_cast<int64_t>(kMaxScriptWaitSeconds)) + "]");
  }
  return v;
}

}  // namespace

int64_t parse_script_count(const std::string& text, int64_t lo, int64_t hi) {
  const bool digits = !text.empty() && text.size() <= 18 &&
                      text.find_first_not_of("0123456789") == std::string::npos;
  const int64_t n = digits ? std::stoll(text) : -1;
  if (!digits || n < lo || n > hi) {
    throw ConfigError("\"" + text + "\" is not a whole number in [" + std::to_string(lo) + ", " +
                      std::to_string(hi) + "]");
  }
  return n;
}

double parse_script_seconds(const std::string& text) {
  return parse_seconds(text, true);
}

double parse_script_timeout(const std::string& text) {
  return parse_seconds(text, false);
}

std::vector<ScriptLine> parse_script(const std::string& text, const std::string& source) {
  std::vector<ScriptLine> out;
  std::stringstream in(text);
  std::string raw;
  int n = 0;
  while (std::getline(in, raw)) {
    ++n;
    const auto hash = raw.find('#');
    std::stringstream words(hash == std::string::npos ? raw : raw.substr(0, hash));
    ScriptLine l;
    l.line = n;
    if (!(words >> l.command)) continue;
    for (std::string w; words >> w;) l.args.push_back(w);
    auto it = arity().find(l.command);
    if (it == arity().end()) {
      throw ConfigError(source + ":" + std::to_string(n) + ": unknown command '" + l.command +
                        "' (see the list at the top of ui/app_script.h or the README)");
    }
    // stroke takes two points or more, overlay one run number or more.
    const bool variadic = l.command == "stroke" || l.command == "overlay";
    if (variadic ? l.args.size() < it->second : l.args.size() != it->second) {
      throw ConfigError(source + ":" + std::to_string(n) + ": " + l.command + " takes " +
                        std::to_string(it->second) + " argument(s), got " +
                        std::to_string(l.args.size()));
    }
    try {
      check_numbers(l);
    } catch (const ConfigError& e) {
      throw ConfigError(source + ":" + std::to_string(n) + ": " + l.command + ": " + e.what());
    }
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace scorelab::ui
