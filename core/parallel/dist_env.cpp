#include "parallel/dist_env.h"

#include <cstdlib>

#include "common/error.h"

namespace scorelab {

namespace {

// The variable as an integer in [lo, hi], or `fallback` when unset.
int int_variable(const char* name, int fallback, int lo, int hi) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  if (*end != '\0' || x < lo || x > hi) {
    throw ConfigError(std::string(name) + "=\"" + v + "\": expected an integer in [" +
                      std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return static_cast<int>(x);
}

}  // namespace

DistEnv DistEnv::from_environment() {
  DistEnv e;
  e.world = int_variable("WORLD_SIZE", 1, 1, 1 << 16);
  e.rank = int_variable("RANK", 0, 0, e.world - 1);
  e.local_rank = int_variable("LOCAL_RANK", e.rank, 0, e.world - 1);
  e.master_port = int_variable("MASTER_PORT", 29500, 1, 65535);
  if (const char* a = std::getenv("MASTER_ADDR"); a && *a) e.master_addr = a;
  if (e.world > 1 && !std::getenv("RANK")) {
    throw ConfigError("WORLD_SIZE=" + std::to_string(e.world) +
                      " but RANK is not set: each process needs its rank");
  }
  return e;
}

}  // namespace scorelab
