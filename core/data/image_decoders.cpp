#include "data/image_decoders.h"

namespace scorelab {

std::string check_decode_limits(int64_t w, int64_t h, size_t file_bytes,
                                const DecodeLimits& limits) {
  if (w < 1 || h < 1 || w > limits.max_pixels || h > limits.max_pixels ||
      w * h > limits.max_pixels) {
    return "too large (" + std::to_string(w) + "x" + std::to_string(h) + ")";
  }
  if (w * h > limits.max_pixels_per_byte * static_cast<int64_t>(file_bytes)) {
    return "its header claims " + std::to_string(w) + "x" + std::to_string(h) +
           " pixels, more than its " + std::to_string(file_bytes) + " bytes can hold";
  }
  return "";
}

}  // namespace scorelab
