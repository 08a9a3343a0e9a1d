#pragma once
// scorelab-bench's subcommands, each added to the CLI11 app with its own options and checks; the
// function returned runs it after parsing and gives the exit status.
#include <CLI/CLI.hpp>

#include <functional>

namespace scorelab::bench {

using Command = std::function<int()>;

// No subcommand: training and sampling throughput with the machine's sgemm rate beside it.
Command add_speed_options(CLI::App& app);
Command add_quality_command(CLI::App& app);
Command add_smt_command(CLI::App& app);
Command add_images_command(CLI::App& app);
Command add_image_quality_command(CLI::App& app);
Command add_sync_check_command(CLI::App& app);
Command add_claims_command(CLI::App& app);
Command add_allreduce_command(CLI::App& app);

// The throughput table (bench_main.cpp).
int print_speed_table(const std::string& device, double seconds);

}  // namespace scorelab::bench
