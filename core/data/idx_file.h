#pragma once
// IDX files, the format of MNIST and Fashion-MNIST: a magic number (two zero bytes, the element
// type, the rank), the dimensions as big-endian 32-bit integers, then the elements. Read raw or
// gzip-compressed (detected by content, not by name).
#include <cstdint>
#include <string>
#include <vector>

namespace scorelab {

struct IdxArray {
  std::vector<int64_t> dims;  // e.g. {60000, 28, 28} for images, {60000} for labels
  std::vector<uint8_t> data;  // row-major, unsigned bytes (type code 0x08)
};

// Throws IoError naming the file and what is wrong: missing, not gzip-decodable, wrong magic
// number, an element type other than unsigned bytes, or fewer/more bytes than the dimensions say.
IdxArray read_idx_file(const std::string& path);

// The whole file, gunzipped when it is gzip. Throws IoError.
std::vector<uint8_t> read_maybe_gzip(const std::string& path);

// The two steps over bytes already in memory; `name` stands for the file in messages.
std::vector<uint8_t> maybe_gunzip(std::vector<uint8_t> bytes, const std::string& name);
IdxArray parse_idx(const std::vector<uint8_t>& bytes, const std::string& name);

}  // namespace scorelab
