#pragma once
// JPEG files of an image folder are decoded by libjpeg-turbo, not stb_image: fuzzing found an
// out-of-bounds read in stb_image's Huffman decoder (tests/fuzz/regressions/image/), and
// libjpeg-turbo is the decoder that browsers ship and OSS-Fuzz runs continuously.

#include <cstdint>
#include <string>
#include <vector>

namespace scorelab {

struct JpegImage {
  int width = 0;
  int height = 0;
  std::vector<unsigned char> pixels;  // height × width × channels, row-major, interleaved
};

// Whether this build can decode JPEG (it was built with libjpeg).
bool jpeg_supported();

// Decodes `bytes` to 1 (grey) or 3 (RGB) channels into `out`. Returns "" on success, otherwise
// why the file cannot be used. The header is read first: a frame over `max_pixels`, or one
// claiming more than `max_pixels_per_byte` pixels per file byte, is refused before any pixel
// memory is reserved. Never throws for bad bytes.
std::string decode_jpeg(const std::string& bytes, int channels, int64_t max_pixels,
                        int64_t max_pixels_per_byte, JpegImage& out);

}  // namespace scorelab
