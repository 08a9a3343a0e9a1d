#include <gtest/gtest.h>

#include "common/process_setup.h"

int main(int argc, char** argv) {
  scorelab::setup_process();
  scorelab::set_compute_threads(1);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
