#pragma once
// scorelab-bench allreduce PRESET: the time of one all-reduce (mean) of each of the preset's
// flat gradient buffers between the ranks this process is one of (RANK, WORLD_SIZE, ... set, as
// scripts/bench-dist.sh starts them): the transfer alone, with no training to wait for. Rank 0
// prints the figures.
#include <cstdint>
#include <string>

namespace scorelab::bench {

int print_allreduce_time(const std::string& preset, const std::string& device, double seconds);

}  // namespace scorelab::bench
