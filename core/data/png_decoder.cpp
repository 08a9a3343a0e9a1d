#include "data/image_decoders.h"

#include <utility>

#ifdef SCORELAB_HAVE_LIBPNG
#include <png.h>
#endif

namespace scorelab {

#ifndef SCORELAB_HAVE_LIBPNG

bool png_supported() {
  return false;
}

std::string decode_png(const std::string&, int, const DecodeLimits&, DecodedImage&) {
  return "this build has no libpng to read PNG files (install libpng-dev and rebuild)";
}

#else

bool png_supported() {
  return true;
}

namespace {

// libpng's simplified API keeps its state behind `opaque`; freeing is safe after it freed itself.
struct PngImage {
  png_image image{};
  PngImage() { image.version = PNG_IMAGE_VERSION; }
  ~PngImage() { png_image_free(&image); }
  PngImage(const PngImage&) = delete;
  PngImage& operator=(const PngImage&) = delete;
};

// From the IHDR chunk (bit depth at byte 24, colour type at 25).
int png_bits_per_pixel(const std::string& bytes) {
  if (bytes.size() < 26) return 8;
  const int depth = static_cast<unsigned char>(bytes[24]);
  const int samples = [&] {
    switch (static_cast<unsigned char>(bytes[25])) {
      case 2: return 3;   // RGB
      case 4: return 2;   // grey + alpha
      case 6: return 4;   // RGBA
      default: return 1;  // grey, palette
    }
  }();
  return depth >= 1 && depth <= 16 ? depth * samples : 8;
}

std::string png_failure(const png_image& image) {
  return std::string("cannot be decoded (") +
         (image.message[0] != '\0' ? image.message : "libpng gave no reason") + ")";
}

}  // namespace

std::string decode_png(const std::string& bytes, int channels, const DecodeLimits& limits,
                       DecodedImage& out) {
  out = DecodedImage{};
  if (channels != 1 && channels != 3) return "channels must be 1 or 3";
  PngImage png;
  // libpng streams the compressed data into the rows it is given, so neither a chunk claiming
  // gigabytes nor a deflate bomb makes it reserve more than the header's width × height.
  if (!png_image_begin_read_from_memory(&png.image, bytes.data(), bytes.size())) {
    return png_failure(png.image);
  }
  const int64_t w = png.image.width, h = png.image.height;
  // Deflate packs at most ~1032 bytes into one: a 1-bit image can hold 8 times as many pixels per
  // file byte as an 8-bit one, a 24-bit one a third. The IHDR, validated by libpng, comes first.
  DecodeLimits scaled = limits;
  scaled.max_pixels_per_byte = limits.max_pixels_per_byte * 8 / png_bits_per_pixel(bytes);
  if (std::string why = check_decode_limits(w, h, bytes.size(), scaled); !why.empty()) return why;
  png.image.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  // Zeros: with no background given, libpng composites transparent pixels onto the buffer.
  std::vector<unsigned char> pixels(PNG_IMAGE_SIZE(png.image), 0);
  if (!png_image_finish_read(&png.image, nullptr, pixels.data(), 0, nullptr)) {
    return png_failure(png.image);
  }
  out.width = static_cast<int>(w);
  out.height = static_cast<int>(h);
  out.pixels = std::move(pixels);
  return "";
}

#endif

}  // namespace scorelab
