#pragma once
// FNV-1a, 64 bits: a fast checksum of file contents (checkpoints, the cached feature network).
#include <cstddef>
#include <cstdint>

namespace scorelab {

inline uint64_t fnv1a64(const char* data, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace scorelab
