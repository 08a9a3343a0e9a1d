#pragma once
// `scorelab-cli train --nproc N`: starts N copies of this command as the ranks of a data-parallel
// run on this machine, with the environment a torchrun-style launcher would give them (RANK,
// WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1, MASTER_PORT=a free port), and waits for them.
#include <string>
#include <vector>

namespace scorelab::cli {

// This process's command line without `--nproc N` (read from /proc/self/cmdline).
std::vector<std::string> command_line_without_nproc();

// Runs the ranks; returns 0 when every rank exits 0, else 1 after saying which rank failed and
// how. A rank that fails gives the others grace_s to stop by themselves before they are killed.
int launch_local_ranks(int nproc, const std::vector<std::string>& args, double grace_s);

}  // namespace scorelab::cli
