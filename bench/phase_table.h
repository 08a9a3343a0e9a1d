#pragma once
// The time of a training step by phase and section (common/phase_timer.h), as a table.
#include <cstdint>
#include <map>
#include <string>

#include "common/phase_timer.h"

namespace scorelab::bench {

// Prints "phase section ms/step share" rows; steps_per_phase divides each phase's times.
void print_phase_table(PhaseTimer& timer, const std::map<std::string, int64_t>& steps_per_phase,
                       const char* clock_name);

}  // namespace scorelab::bench
