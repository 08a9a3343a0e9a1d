// Every stored fuzz input — the seed corpora of real files and the inputs that once crashed a
// reader (tests/fuzz/regressions) — through the same reader code `make fuzz` drives: each is
// read or refused with scorelab's own error, nothing else.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/atomic_file.h"
#include "fuzz/fuzz_targets.h"

namespace fs = std::filesystem;

TEST(FuzzReplay, StoredInputsAreReadOrRefusedCleanly) {
  const fs::path root = fs::path(SCORELAB_TESTS_DIR) / "fuzz";
  int replayed = 0;
  for (const auto& [name, read] : scorelab::fuzz::targets()) {
    int seeds = 0;
    for (const char* kind : {"corpus", "regressions"}) {
      const fs::path dir = root / kind / name;
      if (!fs::is_directory(dir)) continue;
      for (const auto& e : fs::directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        const std::string bytes = scorelab::read_file(e.path().string());
        EXPECT_NO_THROW(scorelab::fuzz::refused_or_read([&] { read(bytes); }))
            << name << ": " << e.path();
        ++replayed;
        seeds += kind == std::string("corpus");
      }
    }
    EXPECT_GT(seeds, 0) << "no seed files for the " << name << " reader";
  }
  EXPECT_GT(replayed, 8);
}
