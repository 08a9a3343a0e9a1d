// The libFuzzer harness of every reader: SCORELAB_FUZZ_TARGET names the one to run
// (fuzz_targets.h lists them). Built and run by `make fuzz` (scripts/fuzz.sh).
#include <cstdio>
#include <cstdlib>

#include "fuzz_targets.h"

namespace {
std::function<void(const std::string&)> g_target;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* name = std::getenv("SCORELAB_FUZZ_TARGET");
  const auto& all = scorelab::fuzz::targets();
  const auto it = name ? all.find(name) : all.end();
  if (it == all.end()) {
    std::fprintf(stderr, "scorelab_fuzz: set SCORELAB_FUZZ_TARGET to one of:");
    for (const auto& t : all) std::fprintf(stderr, " %s", t.first.c_str());
    std::fprintf(stderr, "\n");
    std::abort();
  }
  g_target = it->second;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  scorelab::fuzz::refused_or_read([&] { g_target(bytes); });
  return 0;
}
