#pragma once
// Point clouds from files: CSV/TSV text (comma, tab, semicolon or blank separated, an optional
// header line, '#' comment lines) and NumPy .npy arrays (float32/float64, N × D). Every problem
// is an IoError that names the file, and the row and column where there is one.
#include <torch/types.h>

#include <string>
#include <vector>

namespace scorelab {

struct PointTable {
  torch::Tensor points;              // [N, D] float32 on the CPU
  std::vector<std::string> columns;  // the header's names; empty without a header
  std::string source;                // the file, for messages
};

// Reads a .npy file (by its magic bytes) or a text table; checks the table is N × D with
// D ≥ 2, N ≥ kMinPoints and every value finite.
PointTable read_point_file(const std::string& path);

// The two parsers, over bytes already read; `source` names the file in messages.
PointTable parse_point_text(const std::string& text, const std::string& source);
PointTable parse_npy(const std::string& bytes, const std::string& source);

// The fewest points a file may hold: fewer cannot stand for a distribution.
constexpr int64_t kMinPoints = 10;

// Writes points [N, D] as CSV with a header x0,x1,… (x,y for 2-D), atomically.
void write_points_csv(const std::string& path, const torch::Tensor& points);

// A float32 .npy of points [N, D] (little-endian, C order), for tests and export.
std::string npy_bytes(const torch::Tensor& points);

}  // namespace scorelab
