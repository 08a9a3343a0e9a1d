#pragma once
// Runs scorelab-cli as a user would, for the CLI tests: exit code and everything it printed.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace scorelab::testing {

struct CliResult {
  int code;
  std::string out;  // stdout and stderr together
};

// env: "NAME=value ..." set for this run only.
inline CliResult run_cli(const std::string& args, const std::string& env = "") {
  const std::string cmd =
      (env.empty() ? "" : "env " + env + " ") + SCORELAB_CLI_PATH + " " + args + " 2>&1";
  CliResult r{-1, ""};
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace scorelab::testing
