#pragma once
// A command-line mistake in either program: one line naming it and exit status 1, as the README
// promises (CLI11's own codes, 105-109, tell a user nothing). --help still prints and exits 0.
#include <CLI/CLI.hpp>

#include <cstdio>

namespace scorelab {

inline int report_parse_error(const CLI::App& app, const CLI::ParseError& e, const char* program) {
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
  std::fprintf(stderr, "%s: %s (see %s --help)\n", program, e.what(), program);
  return 1;
}

}  // namespace scorelab
