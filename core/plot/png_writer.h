#pragma once
// Encodes 8-bit RGB pixels as PNG bytes: with stb_image_write where the build has it (Debian's
// libstb-dev), else with a small built-in encoder that stores the image data uncompressed (larger
// files, same pixels) so builds without stb, such as a bare GPU machine, still write plots.
#include <string>

namespace scorelab {

// rgb: width·height·3 bytes, rows top to bottom. Returns the PNG file's bytes.
std::string encode_png(const unsigned char* rgb, int width, int height);

// The built-in encoder (stored deflate blocks), always available; encode_png uses it without stb.
std::string encode_png_stored(const unsigned char* rgb, int width, int height);

}  // namespace scorelab
