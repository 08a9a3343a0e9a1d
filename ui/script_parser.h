#pragma once
// Reading an app script (the commands are listed in app_script.h): one command per line, '#'
// starts a comment. Kept apart from the runner so it can be fuzzed and tested without a window.
#include <cstdint>
#include <string>
#include <vector>

namespace scorelab::ui {

struct ScriptLine {
  int line = 0;
  std::string command;
  std::vector<std::string> args;
};

// Throws ConfigError "FILE:LINE: ..." for an unknown command, a wrong argument count, or a
// number out of its command's range (step/until-step 0..1e9, frames 1..1e9, wait 0..86400 s).
std::vector<ScriptLine> parse_script(const std::string& text, const std::string& source);

constexpr double kMaxScriptWaitSeconds = 86400;
constexpr int64_t kMaxScriptCount = 1000000000;

// A whole number in [lo, hi] written as digits only ("abc", "-1", "1e3", "5x" are refused).
int64_t parse_script_count(const std::string& text, int64_t lo, int64_t hi);
// Seconds in [0, kMaxScriptWaitSeconds]: a finite decimal number and nothing after it.
double parse_script_seconds(const std::string& text);
// A `timeout`'s seconds: as parse_script_seconds, above 0.
double parse_script_timeout(const std::string& text);

}  // namespace scorelab::ui
