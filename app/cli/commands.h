#pragma once
// The subcommands of scorelab-cli. Each registers its options on the app and returns the
// function that runs it (returning the process exit code).
#include <CLI/CLI.hpp>

#include <functional>

namespace scorelab::cli {

using Runner = std::function<int()>;

Runner add_train_command(CLI::App& app);
Runner add_sample_command(CLI::App& app);
Runner add_eval_command(CLI::App& app);
Runner add_presets_command(CLI::App& app);
Runner add_settings_command(CLI::App& app);
Runner add_methods_command(CLI::App& app);
Runner add_fid_command(CLI::App& app);
Runner add_features_command(CLI::App& app);
Runner add_export_command(CLI::App& app);
Runner add_compare_command(CLI::App& app);

}  // namespace scorelab::cli
