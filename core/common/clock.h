#pragma once
// Wall time as the project measures it: the steady clock, in seconds.
#include <chrono>

namespace scorelab {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace scorelab
