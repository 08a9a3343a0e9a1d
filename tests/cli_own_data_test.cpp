// scorelab-cli on the user's own data: a CSV of points and a folder of images train end to end;
// a broken file is one line naming it, and nothing is written for the run.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "cli_runner.h"
#include "common/atomic_file.h"
#include "plot/png_writer.h"
#include "temp_dir.h"

namespace fs = std::filesystem;
using scorelab::testing::run_cli;

TEST(CliOwnData, TrainsOnACsvOfPoints) {
  scorelab::testing::TempDir dir("cli-points");
  std::ofstream csv(dir.file("ring.csv"));
  csv << "x,y\n";
  for (int i = 0; i < 200; ++i) {
    const double a = 2 * M_PI * i / 200;
    csv << 2 * std::cos(a) << "," << 2 * std::sin(a) << "\n";
  }
  csv.close();
  const auto out = dir.file("run");
  auto r = run_cli("train --preset swissroll-smt --steps 40 --out " + out +
                   " --set data.name=points --set data.path=" + dir.file("ring.csv") +
                   " --set data.standardize=true");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("data: 200 points of 2 coordinates from " + dir.file("ring.csv") +
                       ", standardised"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("eval at step 40"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out + "/samples.png"));
  // The checkpoint samples again (the sample command rebuilds the data from the config).
  r = run_cli("sample --checkpoint " + out + "/checkpoint.ckpt --n 50 --out " + dir.file("s.csv"));
  EXPECT_EQ(r.code, 0) << r.out;

  std::ofstream(dir.file("bad.csv")) << "x,y\n1,2\n3\n";
  r = run_cli("train --preset swissroll-smt --steps 5 --out " + dir.file("bad") +
              " --set data.name=points --set data.path=" + dir.file("bad.csv"));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find(dir.file("bad.csv") + ": line 3: 1 values where the header names 2"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(dir.file("bad") + "/checkpoint.ckpt"));
}

TEST(CliOwnData, TrainsOnAFolderOfImagesAndSaysThereIsNoFidForColour) {
  scorelab::testing::TempDir dir("cli-images");
  fs::create_directories(dir.path() / "imgs" / "more");
  // Twelve 36 × 36 colour images: a square of one colour on another, in two subfolders.
  for (int k = 0; k < 12; ++k) {
    std::vector<unsigned char> rgb(36 * 36 * 3);
    for (int y = 0; y < 36; ++y)
      for (int x = 0; x < 36; ++x) {
        const bool in = x > 4 + k && x < 20 + k && y > 8 && y < 26;
        unsigned char* p = &rgb[(y * 36 + x) * 3];
        p[0] = in ? 250 : 10;
        p[1] = static_cast<unsigned char>(20 * k);
        p[2] = in ? 30 : 200;
      }
    const std::string name = (k % 2 ? "imgs/" : "imgs/more/") + std::to_string(k) + ".png";
    scorelab::write_file_atomically(dir.file(name), scorelab::encode_png(rgb.data(), 36, 36));
  }
  std::ofstream(dir.file("imgs/broken.png")) << "not a png";
  const auto out = dir.file("run");
  auto r = run_cli("train --preset fmnist-smt-cpu --steps 3 --out " + out +
                       " --set data.name=image-folder --set data.path=" + dir.file("imgs") +
                       " --set run.eval_samples=64",
                   "SCORELAB_CACHE=" + dir.file("cache"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("data: image-folder: 12 images of 3x32x32"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("warning: 1 file skipped: broken.png: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no FID for this data"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out + "/checkpoint.ckpt"));
  EXPECT_FALSE(fs::is_empty(dir.file("cache")));  // the decoded folder, for the next run

  r = run_cli("train --preset fmnist-smt-cpu --steps 3 --out " + dir.file("none") +
              " --set data.name=image-folder --set data.path=" + dir.file("nowhere"));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find(dir.file("nowhere") + ": no such folder"), std::string::npos) << r.out;
}
