// IDX and CIFAR-10 readers: hand-made files with known pixels, every kind of broken file named
// in the error, and the real Fashion-MNIST from Debian's package when it is installed.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "data/idx_file.h"
#include "data/image_set_loaders.h"
#include "plot/image_grid.h"
#include "temp_dir.h"

using namespace scorelab;
namespace fs = std::filesystem;

namespace {

using scorelab::testing::TempDir;

std::vector<uint8_t> idx_bytes(uint8_t type, std::vector<uint32_t> dims,
                               const std::vector<uint8_t>& data) {
  std::vector<uint8_t> b = {0, 0, type, static_cast<uint8_t>(dims.size())};
  for (uint32_t d : dims) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
  }
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

void write(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// The message of the IoError `f` throws ("" when it throws none).
template <class F>
std::string io_error(F f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "";
}

bool has_text(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST(ImageData, IdxPixelsScaleToMinusOneOne) {
  TempDir dir("idx");
  // Two 2x3 images: 0..5 and 250..255.
  write(dir.file("im"),
        idx_bytes(8, {2, 2, 3}, {0, 51, 102, 153, 204, 255, 250, 251, 252, 253, 254, 255}));
  write(dir.file("lb"), idx_bytes(8, {2}, {7, 3}));
  ImageSet s = load_idx_images(dir.file("im"), dir.file("lb"), false);
  ASSERT_EQ(s.images.sizes(), (std::vector<int64_t>{2, 1, 2, 3}));
  EXPECT_FLOAT_EQ(s.images[0][0][0][0].item<float>(), -1.0f);
  EXPECT_FLOAT_EQ(s.images[0][0][1][2].item<float>(), 1.0f);
  EXPECT_NEAR(s.images[0][0][0][1].item<float>(), 51 / 127.5 - 1, 1e-6);
  EXPECT_EQ(s.labels[0].item<int64_t>(), 7);
  EXPECT_EQ(s.labels[1].item<int64_t>(), 3);
  // Padding to 32x32 centres the image in black (-1).
  ImageSet p = load_idx_images(dir.file("im"), "", true);
  ASSERT_EQ(p.images.sizes(), (std::vector<int64_t>{2, 1, 32, 32}));
  // Rows 15-16, columns 14-16 hold the image.
  EXPECT_NEAR(p.images[0][0][15][15].item<float>(), 51 / 127.5 - 1, 1e-6);
  EXPECT_FLOAT_EQ(p.images[0][0][16][16].item<float>(), 1.0f);
  EXPECT_NEAR(p.images.sum().item<double>() + 2 * 32 * 32, s.images.add(1).sum().item<double>(),
              1e-3);
  EXPECT_FALSE(p.labels.defined());
}

TEST(ImageData, BrokenIdxFilesAreNamedWithWhatIsWrong) {
  TempDir dir("idx");
  const auto im = dir.file("im"), lb = dir.file("lb");
  write(lb, idx_bytes(8, {2}, {1, 2}));

  EXPECT_TRUE(has_text(io_error([&] { read_idx_file(dir.file("none")); }), "none: no such file"));
  write(im, {0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1});
  EXPECT_TRUE(has_text(io_error([&] { read_idx_file(im); }), "wrong magic number 0x12345678"));
  write(im, idx_bytes(0x0D, {1}, {0, 0, 0, 0}));
  EXPECT_TRUE(has_text(io_error([&] { read_idx_file(im); }), "element type 0x0D"));
  write(im, idx_bytes(8, {2, 2, 2}, {1, 2, 3, 4, 5}));
  const std::string cut = io_error([&] { read_idx_file(im); });
  EXPECT_TRUE(has_text(cut, "truncated")) << cut;
  EXPECT_TRUE(has_text(cut, "2x2x2 = 8 bytes, the file holds 5")) << cut;
  write(im, {0, 0, 8, 3, 0, 0});
  EXPECT_TRUE(has_text(io_error([&] { read_idx_file(im); }), "truncated header"));
  // Three images, two labels.
  write(im, idx_bytes(8, {3, 1, 1}, {1, 2, 3}));
  const std::string count = io_error([&] { load_idx_images(im, lb, false); });
  EXPECT_TRUE(has_text(count, "lb: 2 labels for 3 images")) << count;
  // Images given where labels belong.
  write(im, idx_bytes(8, {2, 1, 1}, {1, 2}));
  EXPECT_TRUE(has_text(io_error([&] { load_idx_images(lb, "", false); }), "rank 3"));
  EXPECT_TRUE(has_text(io_error([&] { load_idx_images(im, im, false); }), "rank 1"));
}

TEST(ImageData, GzipIdxIsReadAndTruncatedGzipRefused) {
  if (std::system("command -v gzip > /dev/null 2>&1") != 0) GTEST_SKIP() << "no gzip";
  TempDir dir("idx");
  const auto im = dir.file("im");
  std::vector<uint8_t> px(4 * 5 * 5);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>(i * 7);
  write(im, idx_bytes(8, {4, 5, 5}, px));
  ASSERT_EQ(std::system(("gzip -kf " + im).c_str()), 0);
  const IdxArray a = read_idx_file(im + ".gz");
  EXPECT_EQ(a.dims, (std::vector<int64_t>{4, 5, 5}));
  EXPECT_EQ(a.data, px);
  // Cut the compressed file in half.
  const auto size = fs::file_size(im + ".gz");
  fs::resize_file(im + ".gz", size / 2);
  const std::string why = io_error([&] { read_idx_file(im + ".gz"); });
  EXPECT_TRUE(has_text(why, "gzip")) << why;
  EXPECT_TRUE(has_text(why, "im.gz")) << why;
}

TEST(ImageData, CifarRecordsSplitIntoLabelsAndChannels) {
  TempDir dir("idx");
  std::vector<uint8_t> b;
  for (int r = 0; r < 2; ++r) {
    b.push_back(static_cast<uint8_t>(r + 4));  // label
    for (int c = 0; c < 3; ++c) b.insert(b.end(), 1024, static_cast<uint8_t>(c * 100 + r));
  }
  write(dir.file("batch.bin"), b);
  ImageSet s = load_cifar10_batches({dir.file("batch.bin")});
  ASSERT_EQ(s.images.sizes(), (std::vector<int64_t>{2, 3, 32, 32}));
  EXPECT_EQ(s.labels[1].item<int64_t>(), 5);
  EXPECT_NEAR(s.images[1][2][31][31].item<float>(), 201 / 127.5 - 1, 1e-6);
  b.pop_back();
  write(dir.file("short.bin"), b);
  EXPECT_TRUE(has_text(io_error([&] { load_cifar10_batches({dir.file("short.bin")}); }),
                       "not a whole number of CIFAR-10 records"));
}

TEST(ImageData, FashionMnistFromDebianLoadsBothSplits) {
  if (!fs::exists(fashion_mnist_dir() + "/t10k-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  ImageSet test = load_fashion_mnist(false, true);
  ASSERT_EQ(test.images.sizes(), (std::vector<int64_t>{10000, 1, 32, 32}));
  ASSERT_EQ(test.labels.size(0), 10000);
  // Ten balanced classes, pixels in [-1, 1], mostly black background.
  auto counts = torch::bincount(test.labels);
  EXPECT_EQ(counts.size(0), 10);
  EXPECT_EQ(counts.min().item<int64_t>(), 1000);
  EXPECT_GE(test.images.min().item<float>(), -1.0f);
  EXPECT_LE(test.images.max().item<float>(), 1.0f);
  EXPECT_LT(test.images.mean().item<float>(), -0.3f);
  EXPECT_EQ(fashion_mnist_classes().size(), 10u);
}

TEST(ImageGrid, TilesRowByRowWithGaps) {
  // Five 2x2 grey images of values -1, -0.5, 0, 0.5, 1 → a 3-column grid of 2 rows.
  auto im = torch::arange(5, torch::kFloat).mul(0.5).sub(1).view({5, 1, 1, 1}).expand({5, 1, 2, 2});
  auto g = tile_images(im, 3, 1);
  ASSERT_EQ(g.sizes(), (std::vector<int64_t>{2 * 3 - 1, 3 * 3 - 1, 3}));
  EXPECT_EQ(g[0][0][0].item<uint8_t>(), 0);    // image 0 (−1): black
  EXPECT_EQ(g[0][3][1].item<uint8_t>(), 64);   // image 1 (−0.5), second column
  EXPECT_EQ(g[1][7][2].item<uint8_t>(), 128);  // image 2 (0), third column
  EXPECT_EQ(g[3][0][0].item<uint8_t>(), 191);  // image 3 (0.5), second row
  EXPECT_EQ(g[4][4][0].item<uint8_t>(), 255);  // image 4 (1)
  EXPECT_EQ(g[2][0][0].item<uint8_t>(), 0);    // the gap row
  EXPECT_EQ(g[4][7][0].item<uint8_t>(), 0);    // the empty sixth cell
  EXPECT_THROW(tile_images(torch::zeros({2, 2, 4, 4})), ConfigError);
}
