// What a file or folder dropped on the window opens, decided from its kind alone.
#include <gtest/gtest.h>

#include <fstream>

#include "common/error.h"
#include "dropped_file.h"
#include "settings/presets.h"
#include "temp_dir.h"

using namespace scorelab;
using scorelab::ui::DropAction;
using scorelab::ui::plan_drop;

TEST(DroppedFile, EachKindOpensWhatItHolds) {
  scorelab::testing::TempDir dir("drop-plan");
  const Config current = load_preset("gauss8-smt");
  std::ofstream(dir.file("ring.csv")) << "1 0\n0 1\n";
  const DropAction points = plan_drop(dir.file("ring.csv"), current);
  EXPECT_EQ(points.kind, DropAction::Kind::config);
  EXPECT_EQ(points.config.data.name, "points");
  EXPECT_EQ(points.config.method.name, "smt");  // the method and its settings are kept
  EXPECT_TRUE(points.run_folder.empty());

  // A run folder with curves but no checkpoint: only listed beside the live run.
  std::filesystem::create_directories(dir.file("run-a"));
  std::ofstream(dir.file("run-a/metrics.csv")) << "step,wall_s\n";
  const DropAction curves = plan_drop(dir.file("run-a"), current);
  EXPECT_EQ(curves.kind, DropAction::Kind::curves_only);
  EXPECT_EQ(curves.run_folder, dir.file("run-a"));
  // With a checkpoint it resumes too.
  std::ofstream(dir.file("run-a/checkpoint.ckpt")) << "x";
  const DropAction resume = plan_drop(dir.file("run-a"), current);
  EXPECT_EQ(resume.kind, DropAction::Kind::checkpoint);
  EXPECT_EQ(resume.path, dir.file("run-a/checkpoint.ckpt"));
  EXPECT_EQ(resume.run_folder, dir.file("run-a"));

  // Any other folder is a folder of images.
  std::filesystem::create_directories(dir.file("pictures"));
  const DropAction images = plan_drop(dir.file("pictures"), current);
  EXPECT_EQ(images.config.data.name, "image-folder");
  EXPECT_TRUE(images.run_folder.empty());

  std::ofstream(dir.file("notes.doc")) << "x";
  EXPECT_THROW(plan_drop(dir.file("notes.doc"), current), ConfigError);
  EXPECT_THROW(plan_drop(dir.file("missing.csv"), current), ConfigError);
}
