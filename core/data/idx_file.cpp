#include "data/idx_file.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

#include "common/atomic_file.h"
#include "common/error.h"

#ifdef SCORELAB_HAVE_ZLIB
#include <zlib.h>
#endif

namespace scorelab {

namespace {

bool is_gzip(const std::vector<uint8_t>& head) {
  return head.size() >= 2 && head[0] == 0x1f && head[1] == 0x8b;
}

// Decompressed data beyond this is refused (a gzip bomb would otherwise take all memory):
// four times the 60,000-image Fashion-MNIST split's 47 MB would still pass many times over.
constexpr size_t kMaxDataBytes = size_t{2} << 30;

std::vector<uint8_t> read_raw(const std::string& path) {
  const std::string bytes = read_file(path, kMaxDataBytes);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

#ifdef SCORELAB_HAVE_ZLIB
std::vector<uint8_t> gunzip(const std::vector<uint8_t>& in, const std::string& path) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw IoError(path + ": cannot start zlib");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  std::vector<uint8_t> out(in.size() * 4 + 1024);
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (z.total_out == out.size()) {
      if (out.size() >= kMaxDataBytes) {
        throw IoError(path + ": decompresses to more than " + std::to_string(kMaxDataBytes >> 20) +
                      " MiB; not a data file this reads");
      }
      out.resize(std::min(out.size() * 2, kMaxDataBytes));
    }
    z.next_out = out.data() + z.total_out;
    z.avail_out = static_cast<uInt>(out.size() - z.total_out);
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) {
      throw IoError(path + ": truncated gzip data (the stream ends after " +
                    std::to_string(z.total_out) + " bytes)");
    }
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      throw IoError(path + ": corrupt gzip data (" + (z.msg ? z.msg : "zlib error") + ")");
    }
  }
  if (z.avail_in > 0) {
    // Concatenated members are legal gzip but not what an IDX file is; junk is corruption.
    throw IoError(path + ": " + std::to_string(z.avail_in) +
                  " bytes of trailing data after the gzip stream");
  }
  out.resize(z.total_out);
  return out;
}
#endif

std::string hex(uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*X", digits, v);
  return buf;
}

}  // namespace

std::vector<uint8_t> read_maybe_gzip(const std::string& path) {
  return maybe_gunzip(read_raw(path), path);
}

std::vector<uint8_t> maybe_gunzip(std::vector<uint8_t> raw, const std::string& path) {
  if (!is_gzip(raw)) return raw;
#ifdef SCORELAB_HAVE_ZLIB
  return gunzip(raw, path);
#else
  throw IoError(path + " is gzip-compressed and this build has no zlib: gunzip it first");
#endif
}

IdxArray read_idx_file(const std::string& path) {
  return parse_idx(read_maybe_gzip(path), path);
}

IdxArray parse_idx(const std::vector<uint8_t>& b, const std::string& path) {
  if (b.size() < 4) {
    throw IoError(path + ": " + std::to_string(b.size()) +
                  " bytes, too short for an IDX header (4-byte magic number)");
  }
  const uint32_t magic =
      (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
  if (b[0] != 0 || b[1] != 0 || b[3] == 0 || b[3] > 4) {
    throw IoError(path + ": wrong magic number " + hex(magic, 8) +
                  " (an IDX file starts 0x00 0x00, type, rank 1-4; MNIST images 0x00000803, "
                  "labels 0x00000801)");
  }
  if (b[2] != 0x08) {
    throw IoError(path + ": element type " + hex(b[2], 2) +
                  " is not supported (MNIST-format files hold unsigned bytes, type 0x08)");
  }
  const int rank = b[3];
  const size_t header = 4 + 4 * static_cast<size_t>(rank);
  if (b.size() < header) {
    throw IoError(path + ": truncated header (" + std::to_string(b.size()) + " bytes, need " +
                  std::to_string(header) + ")");
  }
  IdxArray a;
  // Up to 4 dimensions of 2^32: the product is kept from overflowing by capping it just past
  // what the file holds (then it is "truncated" whatever the true product).
  const size_t have_bytes = b.size() - header;
  size_t count = 1;
  for (int i = 0; i < rank; ++i) {
    const uint8_t* p = &b[4 + 4 * i];
    const uint32_t d =
        (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
    a.dims.push_back(d);
    count = (d != 0 && count > (have_bytes + 1) / d + 1) ? have_bytes + 1 : count * d;
  }
  const size_t have = b.size() - header;
  if (have != count) {
    std::string shape;
    for (size_t i = 0; i < a.dims.size(); ++i) {
      shape += (i ? "x" : "") + std::to_string(a.dims[i]);
    }
    throw IoError(path + ": " + (have < count ? "truncated" : "trailing data") +
                  ": the header says " + shape + " = " + std::to_string(count) +
                  " bytes, the file holds " + std::to_string(have));
  }
  a.data.assign(b.begin() + static_cast<long>(header), b.end());
  return a;
}

}  // namespace scorelab
