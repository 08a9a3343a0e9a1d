// scorelab-cli: train, sample and evaluate score-based generative models from the shell.
#include <cstdio>
#include <string>

#include "../parse_error.h"
#include "cli/commands.h"
#include "common/error.h"
#include "common/process_setup.h"

namespace {

// Errors are printed on one line; multi-line reports (checkpoint mismatches) are joined.
std::string one_line(std::string s) {
  size_t pos;
  while ((pos = s.find("\n  - ")) != std::string::npos) s.replace(pos, 5, "; ");
  for (auto& c : s)
    if (c == '\n') c = ' ';
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  scorelab::setup_process();
  CLI::App app{"scorelab-cli: train and evaluate score-based generative models on 2D data"};
  app.require_subcommand(1);
  const auto train = scorelab::cli::add_train_command(app);
  const auto sample = scorelab::cli::add_sample_command(app);
  const auto eval = scorelab::cli::add_eval_command(app);
  const auto presets = scorelab::cli::add_presets_command(app);
  const auto settings = scorelab::cli::add_settings_command(app);
  const auto methods = scorelab::cli::add_methods_command(app);
  const auto fid = scorelab::cli::add_fid_command(app);
  const auto features = scorelab::cli::add_features_command(app);
  const auto exporter = scorelab::cli::add_export_command(app);
  const auto compare = scorelab::cli::add_compare_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return scorelab::report_parse_error(app, e, "scorelab-cli");
  }
  try {
    if (app.got_subcommand("train")) return train();
    if (app.got_subcommand("sample")) return sample();
    if (app.got_subcommand("eval")) return eval();
    if (app.got_subcommand("presets")) return presets();
    if (app.got_subcommand("settings")) return settings();
    if (app.got_subcommand("methods")) return methods();
    if (app.got_subcommand("fid")) return fid();
    if (app.got_subcommand("features")) return features();
    if (app.got_subcommand("export")) return exporter();
    if (app.got_subcommand("compare")) return compare();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scorelab-cli: %s\n", one_line(scorelab::error_message(e)).c_str());
    return 1;
  }
  return 1;
}
