// A folder of the user's images as training data: scaling and centre-cropping, gray or RGB,
// files that cannot be read listed and skipped, the cache, and the errors of an unusable folder.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "common/atomic_file.h"
#include "data/image_decoders.h"
#include "data/image_folder.h"
#include "plot/png_writer.h"
#include "temp_dir.h"

#ifdef SCORELAB_HAVE_STB
#include <stb_image_write.h>
#endif

using namespace scorelab;

namespace {

// A w × h RGB PNG whose pixel (x, y) is f(x, y).
template <class F>
void write_png(const std::string& path, int w, int h, F f) {
  std::vector<unsigned char> rgb(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const auto p = f(x, y);
      for (int c = 0; c < 3; ++c) rgb[(y * w + x) * 3 + c] = p[c];
    }
  write_file_atomically(path, encode_png(rgb.data(), w, h));
}

// A 24-bit BMP written byte by byte (rows bottom-up, padded to 4 bytes).
void write_bmp(const std::string& path, int w, int h, unsigned char r, unsigned char g,
               unsigned char b) {
  const int row = (w * 3 + 3) / 4 * 4;
  const uint32_t size = 54 + row * h;
  std::string s(size, '\0');
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>(v >> (8 * i));
  };
  s[0] = 'B';
  s[1] = 'M';
  put32(2, size);
  put32(10, 54);
  put32(14, 40);
  put32(18, w);
  put32(22, h);
  s[26] = 1;
  s[28] = 24;
  put32(34, row * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const size_t at = 54 + y * row + x * 3;
      s[at] = static_cast<char>(b);
      s[at + 1] = static_cast<char>(g);
      s[at + 2] = static_cast<char>(r);
    }
  std::ofstream(path, std::ios::binary) << s;
}

using Pixel = std::array<unsigned char, 3>;

#ifdef SCORELAB_HAVE_STB
// stb_image_write's sink: the encoded bytes go to the std::string at `ctx`.
void append_bytes(void* ctx, void* data, int n) {
  static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), n);
}
#endif

}  // namespace

TEST(ImageFolder, ScalesTheShorterSideAndCropsTheCentre) {
  scorelab::testing::TempDir dir("imgs");
  std::filesystem::create_directories(dir.path() / "sub");
  // 40 × 20: black columns 0–19, white 20–39. Scaled by 28/20 to 56 × 28 and cropped to the
  // middle 28 columns (original columns 10–29): the crop's left half black, right half white.
  write_png(dir.file("a.png"), 40, 20, [](int x, int) {
    const unsigned char v = x < 20 ? 0 : 255;
    return Pixel{v, v, v};
  });
  // 20 × 40, found in a subfolder: top black, bottom white; the crop keeps rows 10–29.
  write_png(dir.file("sub/b.PNG"), 20, 40, [](int, int y) {
    const unsigned char v = y < 20 ? 0 : 255;
    return Pixel{v, v, v};
  });
  auto f = load_image_folder({dir.path().string(), 28, "auto", ""});
  EXPECT_TRUE(f.skipped.empty());
  ASSERT_EQ(f.set.images.sizes(), torch::IntArrayRef({2, 1, 28, 28}));  // gray: R = G = B
  auto a = f.set.images[0][0], b = f.set.images[1][0];
  EXPECT_NEAR(a[14][2].item<float>(), -1, 0.02);
  EXPECT_NEAR(a[14][25].item<float>(), 1, 0.02);
  EXPECT_NEAR(b[2][14].item<float>(), -1, 0.02);
  EXPECT_NEAR(b[25][14].item<float>(), 1, 0.02);
  // rgb keeps three equal channels.
  auto rgb = load_image_folder({dir.path().string(), 28, "rgb", ""});
  ASSERT_EQ(rgb.set.images.size(1), 3);
  EXPECT_TRUE(rgb.set.images[0][1].equal(rgb.set.images[0][0]));
}

TEST(ImageFolder, ColourIsKeptAndUnreadableFilesAreListedAndSkipped) {
  scorelab::testing::TempDir dir("imgs-rgb");
  write_bmp(dir.file("red.bmp"), 32, 32, 255, 0, 0);
  write_png(dir.file("blue.png"), 64, 48, [](int, int) { return Pixel{0, 0, 255}; });
  std::ofstream(dir.file("broken.jpg")) << "not a jpeg";
  std::ofstream(dir.file("notes.txt")) << "ignored: not an image extension";
  auto f = load_image_folder({dir.path().string(), 32, "auto", ""});
  ASSERT_EQ(f.set.images.sizes(), torch::IntArrayRef({2, 3, 32, 32}));
  // Sorted by name: blue.png, red.bmp.
  EXPECT_NEAR(f.set.images[0][2].mean().item<float>(), 1, 1e-3);
  EXPECT_NEAR(f.set.images[0][0].mean().item<float>(), -1, 1e-3);
  EXPECT_NEAR(f.set.images[1][0].mean().item<float>(), 1, 1e-3);
  EXPECT_NEAR(f.set.images[1][1].mean().item<float>(), -1, 1e-3);
  ASSERT_EQ(f.skipped.size(), 1u);
  EXPECT_EQ(f.skipped[0].rfind("broken.jpg: ", 0), 0u) << f.skipped[0];
  EXPECT_NE(skipped_summary(f.skipped).find("1 file skipped: broken.jpg"), std::string::npos);
  // gray averages nothing away here but takes one channel.
  EXPECT_EQ(load_image_folder({dir.path().string(), 32, "gray", ""}).set.images.size(1), 1);
}

TEST(ImageFolder, SecondReadComesFromTheCacheAndAChangedFolderIsReread) {
  scorelab::testing::TempDir dir("imgs-cache"), cache("imgs-cache-dir");
  write_png(dir.file("a.png"), 30, 30, [](int x, int y) {
    return Pixel{static_cast<unsigned char>(8 * x), static_cast<unsigned char>(8 * y), 7};
  });
  const ImageFolderOptions o{dir.path().string(), 28, "auto", cache.path().string()};
  auto first = load_image_folder(o);
  EXPECT_FALSE(first.from_cache);
  auto second = load_image_folder(o);
  EXPECT_TRUE(second.from_cache);
  EXPECT_TRUE(second.set.images.equal(first.set.images));
  write_png(dir.file("b.png"), 30, 30, [](int, int) { return Pixel{1, 2, 3}; });
  auto third = load_image_folder(o);
  EXPECT_FALSE(third.from_cache);
  EXPECT_EQ(third.set.images.size(0), 2);
  // A cache file cut short is not trusted: the folder is decoded again.
  for (const auto& e : std::filesystem::directory_iterator(cache.path())) {
    std::filesystem::resize_file(e.path(), 40);
  }
  auto fourth = load_image_folder(o);
  EXPECT_FALSE(fourth.from_cache);
  EXPECT_TRUE(fourth.set.images.equal(third.set.images));
}

TEST(ImageFolder, UnusableFoldersAreErrorsNamingTheFolder) {
  scorelab::testing::TempDir dir("imgs-bad");
  auto message = [](const std::string& path) {
    try {
      load_image_folder({path, 32, "auto", ""});
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message(dir.file("missing")).find("no such folder"), std::string::npos);
  EXPECT_NE(message(dir.path().string()).find("no PNG, JPEG or BMP images"), std::string::npos);
  std::ofstream(dir.file("x.png")) << "junk";
  const std::string all_bad = message(dir.path().string());
  EXPECT_NE(all_bad.find("no image could be read"), std::string::npos) << all_bad;
  EXPECT_NE(all_bad.find("x.png"), std::string::npos) << all_bad;
  EXPECT_NE(message(dir.file("x.png")).find("not a folder"), std::string::npos);
}

// Hostile files in an image folder: only PNG, JPEG and BMP bytes reach the decoder (a PNM or
// GIF named .png is left out by its first bytes), and a long strip is cropped to its centre
// square before scaling, so its work and memory stay those of the strip itself (fuzzing found
// an 82-byte BMP of 196620 × 9 that scaled to 22 Mpixels first).
TEST(ImageFolder, OtherFormatsAreLeftOutAndStripsCroppedBeforeScaling) {
  std::vector<unsigned char> px(3 * 8 * 8);
  const std::string pnm = "P5\n2 2\n255\n\x01\x02\x03\x04";
  EXPECT_EQ(decode_image(pnm, 1, 8, px.data()),
            "not a PNG, JPEG or BMP image (by its first bytes)");
  EXPECT_EQ(decode_image("GIF89a", 3, 8, px.data()),
            "not a PNG, JPEG or BMP image (by its first bytes)");
  EXPECT_NE(decode_image("\x89PNG\r\n\x1a\n-cut-", 3, 8, px.data()), "");
  // A BMP header claiming 79 × 592896 pixels in 81 bytes (found by fuzzing).
  std::string bmp(81, '\0');
  bmp.replace(0, 2, "BM");
  const auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) bmp[at + i] = static_cast<char>(v >> (8 * i));
  };
  put32(10, 54);
  put32(14, 40);
  put32(18, 79);
  put32(22, 592896);
  bmp[26] = 1;
  bmp[28] = 24;
  EXPECT_EQ(decode_image(bmp, 3, 8, px.data()),
            "its header claims 79x592896 pixels, more than its 81 bytes can hold");

  scorelab::testing::TempDir dir("imgs-hostile");
  write_bmp(dir.file("a-tall.bmp"), 1, 1 << 20, 10, 20, 30);
  write_bmp(dir.file("b-wide.bmp"), 1 << 16, 3, 250, 0, 0);
  std::ofstream(dir.file("c-gif.png"), std::ios::binary) << "GIF89a\x01\x00\x01\x00";
  auto f = load_image_folder({dir.path().string(), 32, "rgb", ""});
  ASSERT_EQ(f.set.images.sizes(), torch::IntArrayRef({2, 3, 32, 32}));
  EXPECT_NEAR(f.set.images[0][0].mean().item<float>(), 10 / 127.5 - 1, 1e-3);
  EXPECT_NEAR(f.set.images[0][2].mean().item<float>(), 30 / 127.5 - 1, 1e-3);
  EXPECT_NEAR(f.set.images[1][0].mean().item<float>(), 250 / 127.5 - 1, 1e-3);
  ASSERT_EQ(f.skipped.size(), 1u);
  EXPECT_EQ(f.skipped[0], "c-gif.png: not a PNG, JPEG or BMP image (by its first bytes)");
}

#ifdef SCORELAB_HAVE_STB
// JPEG goes through libjpeg-turbo: a real JPEG (stb_image_write's encoder) decodes to its colours,
// in RGB and in gray, and the JPEG on which stb_image's decoder read out of bounds is refused.
TEST(ImageFolder, JpegFilesDecodeToTheirColoursAndTheFuzzFoundJpegIsRefused) {
  if (!jpeg_supported()) GTEST_SKIP() << "built without libjpeg";
  // 32 × 16: left half (200, 40, 40), right half (30, 60, 220); the centre 16 × 16 crop keeps
  // 8 columns of each.
  const int w = 32, h = 16;
  std::vector<unsigned char> rgb(w * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const Pixel p = x < w / 2 ? Pixel{200, 40, 40} : Pixel{30, 60, 220};
      for (int c = 0; c < 3; ++c) rgb[(y * w + x) * 3 + c] = p[c];
    }
  std::string jpg;
  ASSERT_TRUE(stbi_write_jpg_to_func(append_bytes, &jpg, w, h, 3, rgb.data(), 95));
  std::vector<unsigned char> px(3 * 16 * 16);
  ASSERT_EQ(decode_image(jpg, 3, 16, px.data()), "");
  // Planar: channel c, row y, column x. Away from the edge (JPEG rings there), within 12 levels.
  const auto at = [&](int c, int y, int x) { return int{px[(c * 16 + y) * 16 + x]}; };
  for (int y = 0; y < 16; ++y) {
    EXPECT_NEAR(at(0, y, 2), 200, 12);
    EXPECT_NEAR(at(1, y, 2), 40, 12);
    EXPECT_NEAR(at(2, y, 2), 40, 12);
    EXPECT_NEAR(at(0, y, 13), 30, 12);
    EXPECT_NEAR(at(1, y, 13), 60, 12);
    EXPECT_NEAR(at(2, y, 13), 220, 12);
  }
  // Gray is the luma of each side: 0.299 R + 0.587 G + 0.114 B.
  std::vector<unsigned char> grey(16 * 16);
  ASSERT_EQ(decode_image(jpg, 1, 16, grey.data()), "");
  EXPECT_NEAR(grey[5 * 16 + 2], 0.299 * 200 + 0.587 * 40 + 0.114 * 40, 12);
  EXPECT_NEAR(grey[5 * 16 + 13], 0.299 * 30 + 0.587 * 60 + 0.114 * 220, 12);

  // A cut-off JPEG header and the fuzz-found file: a reason, no crash.
  EXPECT_NE(decode_image(jpg.substr(0, 20), 3, 16, px.data()), "");
  const std::string dir = std::string(SCORELAB_TESTS_DIR) + "/fuzz/regressions/image/";
  const std::string why = decode_image(read_file(dir + "jpeg-huff-overflow.jpg"), 3, 16, px.data());
  EXPECT_EQ(why.rfind("cannot be decoded (", 0), 0u) << why;
  // An 8 × 8 progressive JPEG whose last scan is repeated 1100 times: each scan re-reads the
  // whole image, so the count is capped (libjpeg itself only warns about such a file).
  EXPECT_EQ(decode_image(read_file(dir + "jpeg-1100-scans.jpg"), 1, 8, px.data()),
            "cannot be decoded (more than 1000 scans)");
}
#endif

#ifdef SCORELAB_HAVE_STB
// PNG goes through libpng: transparency is composited onto black, and the PNG whose IDAT chunk
// data misled stb_image into reserving 2 GB (a 174-byte file, found by fuzzing) is refused.
TEST(ImageFolder, PngAlphaBecomesBlackAndTheFuzzFoundPngIsRefused) {
  if (!png_supported()) GTEST_SKIP() << "built without libpng";
  // 4 × 4 RGBA: the left half opaque (250, 100, 0), the right half white but fully transparent.
  std::vector<unsigned char> rgba(4 * 4 * 4);
  for (int i = 0; i < 16; ++i) {
    const bool left = i % 4 < 2;
    const unsigned char p[4] = {
        static_cast<unsigned char>(left ? 250 : 255), static_cast<unsigned char>(left ? 100 : 255),
        static_cast<unsigned char>(left ? 0 : 255), static_cast<unsigned char>(left ? 255 : 0)};
    std::copy(p, p + 4, rgba.begin() + 4 * i);
  }
  std::string png;
  ASSERT_TRUE(stbi_write_png_to_func(append_bytes, &png, 4, 4, 4, rgba.data(), 16));
  std::vector<unsigned char> px(3 * 4 * 4);
  ASSERT_EQ(decode_image(png, 3, 4, px.data()), "");
  const auto at = [&](int c, int y, int x) { return int{px[(c * 4 + y) * 4 + x]}; };
  for (int y = 0; y < 4; ++y) {
    EXPECT_EQ(at(0, y, 0), 250);
    EXPECT_EQ(at(1, y, 1), 100);
    EXPECT_EQ(at(2, y, 0), 0);
    for (int c = 0; c < 3; ++c) EXPECT_EQ(at(c, y, 3), 0) << "transparent white is black";
  }

  const std::string dir = std::string(SCORELAB_TESTS_DIR) + "/fuzz/regressions/image/";
  const std::string why = decode_image(read_file(dir + "png-idat-claims-2gb.png"), 3, 8, px.data());
  EXPECT_EQ(why.rfind("cannot be decoded (", 0), 0u) << why;
  EXPECT_NE(why.find("IDAT"), std::string::npos) << "libpng names the broken chunk: " << why;
}
#endif
