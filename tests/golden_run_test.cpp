// A seeded short DSM run's loss trajectory against the one recorded in tests/golden. It catches
// silent changes to data, noise, model, loss or optimizer. To re-record after an intended change:
//   SCORELAB_UPDATE_GOLDEN=1 build/scorelab_tests --gtest_filter='Golden*'
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "config/presets.h"
#include "train/run_parts.h"

using namespace scorelab;

namespace {

// Mean loss over each window of 25 steps, 400 steps in all.
std::vector<double> trajectory(const std::string& preset) {
  Config c = load_preset(preset);
  c.run.device = "cpu";
  c.run.seed = 42;
  RunParts run = build_run(c);
  std::vector<double> out;
  std::vector<torch::Tensor> losses;
  double sum = 0;
  for (int i = 1; i <= 400; ++i) {
    run.method->step(losses);
    sum += losses[0].item<double>();
    if (i % 25 == 0) {
      out.push_back(sum / 25);
      sum = 0;
    }
  }
  return out;
}

void check_against_golden(const std::string& preset) {
  const std::string path = std::string(SCORELAB_GOLDEN_DIR) + "/" + preset + ".json";
  const auto got = trajectory(preset);
  if (std::getenv("SCORELAB_UPDATE_GOLDEN")) {
    write_file_atomically(path, nlohmann::json(got).dump(1) + "\n");
    GTEST_SKIP() << "recorded " << path;
  }
  const auto want = nlohmann::json::parse(read_file(path)).get<std::vector<double>>();
  ASSERT_EQ(got.size(), want.size());
  // Same seed, same ops, one thread: the run is deterministic up to floating-point
  // reassociation in another BLAS or libtorch build, which stays far below 1%.
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], 0.01 * std::fabs(want[i])) << "window " << i;
  }
}

}  // namespace

TEST(Golden, DsmGauss8LossTrajectory) {
  check_against_golden("gauss8-dsm");
}
TEST(Golden, DsmSwissrollLossTrajectory) {
  check_against_golden("swissroll-dsm");
}
