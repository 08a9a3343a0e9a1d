#pragma once
// FNV-1a, 64 bits: a fast checksum of file contents (checkpoints, the cached feature network).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace scorelab {

// Continues a checksum `h` over more bytes: fnv1a64 of a + b = fnv1a64_continue(fnv1a64(a), b).
inline uint64_t fnv1a64_continue(uint64_t h, const char* data, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ULL;
  }
  return h;
}

inline uint64_t fnv1a64(const char* data, size_t n) {
  return fnv1a64_continue(1469598103934665603ULL, data, n);
}

// 16 lowercase hex digits.
inline std::string hex64(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace scorelab
