// Both PNG encoders produce files a decoder reads back to the same pixels.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "common/atomic_file.h"
#include "plot/png_writer.h"
#include "plot/scatter_png.h"

#ifdef SCORELAB_HAVE_STB
#include <stb_image.h>
#endif

using namespace scorelab;

namespace {
std::vector<unsigned char> pattern(int w, int h) {
  std::vector<unsigned char> p(static_cast<size_t>(w) * h * 3);
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<unsigned char>((i * 37) % 251);
  return p;
}
}  // namespace

TEST(Png, EncodersRoundTrip) {
  const int w = 300, h = 250;  // > 65535 bytes of scanlines: several stored blocks
  const auto px = pattern(w, h);
  for (const std::string& png : {encode_png(px.data(), w, h), encode_png_stored(px.data(), w, h)}) {
    ASSERT_EQ(png.substr(1, 3), "PNG");
#ifdef SCORELAB_HAVE_STB
    int rw = 0, rh = 0, ch = 0;
    unsigned char* back = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()),
                                                static_cast<int>(png.size()), &rw, &rh, &ch, 3);
    ASSERT_NE(back, nullptr) << stbi_failure_reason();
    EXPECT_EQ(rw, w);
    EXPECT_EQ(rh, h);
    EXPECT_EQ(std::memcmp(back, px.data(), px.size()), 0);
    stbi_image_free(back);
#else
    GTEST_SKIP() << "no stb_image to decode with in this build";
#endif
  }
}

TEST(Png, ScatterPlotIsWritten) {
  const auto path = (std::filesystem::temp_directory_path() / "scorelab_scatter.png").string();
  auto pts = torch::randn({1000, 2});
  write_scatter_png(path, pts, pts * 0.5, 128);
  const std::string png = read_file(path);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  // Width and height from the IHDR chunk: 256 × 128.
  auto be32 = [&](size_t at) {
    return (uint32_t(uint8_t(png[at])) << 24) | (uint32_t(uint8_t(png[at + 1])) << 16) |
           (uint32_t(uint8_t(png[at + 2])) << 8) | uint32_t(uint8_t(png[at + 3]));
  };
  EXPECT_EQ(be32(16), 256u);
  EXPECT_EQ(be32(20), 128u);
}
