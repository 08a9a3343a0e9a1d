#include "plot/png_writer.h"

#include <array>
#include <cstdint>
#include <stdexcept>

#ifdef SCORELAB_HAVE_STB
#include <stb_image_write.h>
#endif

namespace scorelab {

#ifdef SCORELAB_HAVE_STB
std::string encode_png(const unsigned char* rgb, int width, int height) {
  std::string png;
  auto sink = [](void* ctx, void* data, int n) {
    static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), n);
  };
  if (!stbi_write_png_to_func(sink, &png, width, height, 3, rgb, width * 3)) {
    throw std::runtime_error("PNG encoding failed");
  }
  return png;
}
#else
std::string encode_png(const unsigned char* rgb, int width, int height) {
  return encode_png_stored(rgb, width, height);
}
#endif

namespace {

uint32_t crc32(const std::string& s, size_t from) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  uint32_t c = 0xffffffffu;
  for (size_t i = from; i < s.size(); ++i)
    c = table[(c ^ static_cast<unsigned char>(s[i])) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

void put32(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void chunk(std::string& out, const char* type, const std::string& data) {
  put32(out, static_cast<uint32_t>(data.size()));
  const size_t start = out.size();
  out.append(type, 4);
  out += data;
  put32(out, crc32(out, start));
}

}  // namespace

std::string encode_png_stored(const unsigned char* rgb, int width, int height) {
  // Raw scanlines, each led by filter byte 0.
  std::string raw;
  const size_t row = static_cast<size_t>(width) * 3;
  for (int y = 0; y < height; ++y) {
    raw.push_back('\0');
    raw.append(reinterpret_cast<const char*>(rgb) + y * row, row);
  }
  // zlib stream of stored (uncompressed) deflate blocks of at most 65535 bytes.
  std::string z = "\x78\x01";
  for (size_t pos = 0; pos < raw.size() || pos == 0;) {
    const size_t n = std::min<size_t>(65535, raw.size() - pos);
    const bool last = pos + n == raw.size();
    z.push_back(last ? '\x01' : '\x00');
    z.push_back(static_cast<char>(n & 0xff));
    z.push_back(static_cast<char>(n >> 8));
    z.push_back(static_cast<char>(~n & 0xff));
    z.push_back(static_cast<char>((~n >> 8) & 0xff));
    z.append(raw, pos, n);
    pos += n;
    if (last) break;
  }
  uint32_t a = 1, b = 0;  // Adler-32 of the raw data
  for (unsigned char c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  put32(z, (b << 16) | a);
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put32(ihdr, static_cast<uint32_t>(width));
  put32(ihdr, static_cast<uint32_t>(height));
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, no interlace
  chunk(png, "IHDR", ihdr);
  chunk(png, "IDAT", z);
  chunk(png, "IEND", "");
  return png;
}

}  // namespace scorelab
