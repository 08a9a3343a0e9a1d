#pragma once
// In a data-parallel run rank 0's Trainer takes the commands (from the CLI or the app) and every
// other rank applies the same ones at the same point between steps: rank 0 writes the batch it
// took as JSON, broadcasts it, and each rank reads it back into commands. Probes stay local.
#include <nlohmann/json.hpp>

#include <deque>
#include <vector>

#include "train/commands.h"

namespace scorelab {

// The commands of `batch` that every rank applies, as a JSON array (probes are left out).
nlohmann::json replicated_json(const std::deque<Command>& batch);
// Commands from replicated_json's array, each with a promise nobody waits on.
std::vector<Command> commands_from_json(const nlohmann::json& array);

}  // namespace scorelab
