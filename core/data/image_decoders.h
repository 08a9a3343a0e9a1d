#pragma once
// The decoders behind image folders. JPEG goes to libjpeg-turbo and PNG to libpng, not to
// stb_image: fuzzing found stb_image's JPEG Huffman decoder reading out of bounds and its PNG
// reader reserving 2 GB for the IDAT data of a 174-byte file (both inputs are in
// tests/fuzz/regressions/image/). libjpeg-turbo and libpng are the decoders browsers ship and
// OSS-Fuzz runs continuously. BMP stays with stb_image.

#include <cstdint>
#include <string>
#include <vector>

namespace scorelab {

struct DecodedImage {
  int width = 0;
  int height = 0;
  std::vector<unsigned char> pixels;  // height × width × channels, row-major, interleaved
};

// Limits checked on the header, before any pixel memory is reserved: at most `max_pixels`, and
// at most `max_pixels_per_byte` pixels per byte of the file (more describes data it lacks); that
// figure is for 8 bits per pixel, and PNG scales it by 8 / its bits per pixel.
struct DecodeLimits {
  int64_t max_pixels = 0;
  int64_t max_pixels_per_byte = 0;
};

// Why a w × h image from a file of `file_bytes` is refused under `limits`, or "".
std::string check_decode_limits(int64_t w, int64_t h, size_t file_bytes,
                                const DecodeLimits& limits);

// Whether this build has the decoder (it was built with libjpeg / libpng).
bool jpeg_supported();
bool png_supported();

// Decode `bytes` to 1 (grey) or 3 (RGB) channels into `out`. Return "" on success, otherwise why
// the file cannot be used. Never throw for bad bytes.
std::string decode_jpeg(const std::string& bytes, int channels, const DecodeLimits& limits,
                        DecodedImage& out);
// Transparent pixels are composited onto black.
std::string decode_png(const std::string& bytes, int channels, const DecodeLimits& limits,
                       DecodedImage& out);

}  // namespace scorelab
