#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "common/atomic_file.h"
#include "common/error.h"
#include "settings/settings.h"
#include "train/checkpoint.h"
#include "train/run_parts.h"

using namespace scorelab;
namespace fs = std::filesystem;

namespace {

std::string temp_path(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("scorelab_ckpt_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

Config small() {
  Config c;
  c.data.name = "gauss8";
  c.model.hidden = 32;
  c.run.device = "cpu";
  return c;
}

std::string checkpoint_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Checkpoint, RoundTripRestoresWeightsOptimizerAndRng) {
  RunParts a = build_run(small());
  std::vector<torch::Tensor> losses;
  for (int i = 0; i < 5; ++i) a.method->step(losses);
  const std::string path = temp_path("rt.ckpt");
  write_checkpoint(capture_checkpoint(*a.method, a.config, 5, 1.5, *a.rng), path);
  EXPECT_FALSE(fs::exists(path + ".tmp"));

  RunParts b = load_run(path);
  EXPECT_EQ(b.step, 5);
  auto na = a.method->networks()[0], nb = b.method->networks()[0];
  EXPECT_TRUE(torch::equal(na->params().data(), nb->params().data()));
  EXPECT_TRUE(torch::equal(na->optimizer().exp_avg_sq(), nb->optimizer().exp_avg_sq()));
  EXPECT_EQ(nb->updates(), 5);
  // Same state and same Rng stream: the next step gives the same loss.
  std::vector<torch::Tensor> la, lb;
  a.method->step(la);
  b.method->step(lb);
  EXPECT_EQ(la[0].item<double>(), lb[0].item<double>());
}

TEST(Checkpoint, CorruptFilesAreRejectedWithTheReason) {
  RunParts a = build_run(small());
  const std::string path = temp_path("good.ckpt");
  write_checkpoint(capture_checkpoint(*a.method, a.config, 0, 0, *a.rng), path);
  const std::string bytes = read_file(path);

  const std::string junk = temp_path("junk.ckpt");
  write_file_atomically(junk, std::string("hello world, not a checkpoint"));
  EXPECT_NE(checkpoint_error_of([&] { read_checkpoint(junk); }).find("not a scorelab checkpoint"),
            std::string::npos);

  const std::string cut = temp_path("cut.ckpt");
  write_file_atomically(cut, bytes.substr(0, bytes.size() - 100));
  EXPECT_NE(checkpoint_error_of([&] { read_checkpoint(cut); }).find("truncated"),
            std::string::npos);

  std::string flipped_bytes = bytes;
  flipped_bytes[bytes.size() - 7] ^= 0x5a;
  const std::string flipped = temp_path("flip.ckpt");
  write_file_atomically(flipped, flipped_bytes);
  EXPECT_NE(checkpoint_error_of([&] { read_checkpoint(flipped); }).find("checksum mismatch"),
            std::string::npos);

  EXPECT_NE(
      checkpoint_error_of([&] { read_checkpoint(temp_path("missing.ckpt")); }).find("missing.ckpt"),
      std::string::npos);

  // A newer format version is named, with the version this build reads.
  std::string v2 = bytes;
  const size_t at = v2.find("\"format_version\":2");
  ASSERT_NE(at, std::string::npos);
  v2[at + 17] = '3';
  const std::string newer = temp_path("v2.ckpt");
  write_file_atomically(newer, v2);
  EXPECT_NE(checkpoint_error_of([&] {
              read_checkpoint(newer);
            }).find("format version 3, this build reads version 2"),
            std::string::npos);
}

TEST(Checkpoint, MismatchedShapesAreListedAndTheModelIsUntouched) {
  RunParts small_run = build_run(small());
  const std::string path = temp_path("small.ckpt");
  write_checkpoint(capture_checkpoint(*small_run.method, small_run.config, 0, 0, *small_run.rng),
                   path);
  Config wide = small();
  wide.model.hidden = 64;
  RunParts wide_run = build_run(wide);
  auto before = wide_run.method->networks()[0]->params().data().clone();
  const std::string msg =
      checkpoint_error_of([&] { restore_checkpoint(read_checkpoint(path), *wide_run.method); });
  EXPECT_NE(
      msg.find(
          "parameter input.weight [32, 2] in the checkpoint, input.weight [64, 2] in the model"),
      std::string::npos)
      << msg;
  EXPECT_TRUE(torch::equal(before, wide_run.method->networks()[0]->params().data()));
}

TEST(AtomicFile, FailedWriteKeepsTheOldFile) {
  const std::string path = temp_path("keep.txt");
  write_file_atomically(path, std::string("old"));
  EXPECT_THROW(write_file_atomically(path, [](std::ostream&) { throw IoError("boom"); }), IoError);
  EXPECT_EQ(read_file(path), "old");
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  EXPECT_THROW(write_file_atomically("/nonexistent-dir/x.txt", std::string("x")), IoError);
}
