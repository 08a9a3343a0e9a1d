#include "data/point_file.h"

#include <torch/torch.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "common/atomic_file.h"
#include "common/error.h"

namespace scorelab {

namespace {

constexpr uint64_t kMaxFileBytes = uint64_t{1} << 30;  // 1 GiB: far beyond any 2-D toy set

[[noreturn]] void fail(const std::string& source, const std::string& what) {
  throw IoError(source + ": " + what);
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  if (sep == ' ') {
    std::istringstream in(line);
    for (std::string f; in >> f;) out.push_back(f);
    return out;
  }
  size_t start = 0;
  while (true) {
    const size_t end = line.find(sep, start);
    out.push_back(trim(line.substr(start, end == std::string::npos ? end : end - start)));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

bool parse_number(const std::string& s, double& v) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') ++b;  // from_chars takes no leading '+'
  const auto r = std::from_chars(b, e, v);
  return r.ec == std::errc() && r.ptr == e && b != e;
}

char separator_of(const std::string& line) {
  for (char c : {'\t', ',', ';'})
    if (line.find(c) != std::string::npos) return c;
  return ' ';
}

// The first row and column holding a NaN or an infinity, as "row R, column C".
void check_finite(const torch::Tensor& points, const std::string& source, int64_t first_row = 1) {
  auto bad = (~torch::isfinite(points)).nonzero();
  if (bad.size(0) == 0) return;
  const int64_t r = bad[0][0].item<int64_t>(), c = bad[0][1].item<int64_t>();
  fail(source, "point " + std::to_string(r + first_row) + ", coordinate " + std::to_string(c + 1) +
                   " is " + std::to_string(points[r][c].item<double>()) +
                   "; every value must be finite");
}

void check_shape(const PointTable& t) {
  const int64_t n = t.points.size(0), d = t.points.size(1);
  if (d < 2) {
    fail(t.source, "points have " + std::to_string(d) +
                       " coordinate; scorelab needs at least 2 per point (one column per "
                       "coordinate)");
  }
  if (n < kMinPoints) {
    fail(t.source, std::to_string(n) + " points; at least " + std::to_string(kMinPoints) +
                       " are needed to stand for a distribution");
  }
}

bool starts_with(const std::string& s, const char* prefix) {
  return s.compare(0, std::strlen(prefix), prefix) == 0;
}

// The value after 'key': in a .npy header (a Python dict literal), up to the next ',' at depth
// 0 or the closing brace.
std::string npy_field(const std::string& header, const std::string& key,
                      const std::string& source) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) k = header.find("\"" + key + "\"");
  if (k == std::string::npos) fail(source, ".npy header has no '" + key + "': " + header);
  size_t p = header.find(':', k);
  if (p == std::string::npos) fail(source, ".npy header is malformed: " + header);
  ++p;
  int depth = 0;
  size_t e = p;
  for (; e < header.size(); ++e) {
    const char c = header[e];
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if ((c == ',' && depth == 0) || (c == '}' && depth == 0)) break;
  }
  return trim(header.substr(p, e - p));
}

}  // namespace

PointTable parse_point_text(const std::string& text, const std::string& source) {
  PointTable t;
  t.source = source;
  std::vector<float> values;
  int64_t width = -1, rows = 0;
  char sep = 0;
  size_t line_no = 0, pos = 0;
  bool first_content = true;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    if (sep == 0) sep = separator_of(line);
    const auto fields = split(line, sep);
    const std::string where = "line " + std::to_string(line_no);
    std::vector<double> row(fields.size());
    bool numeric = true;
    for (size_t j = 0; j < fields.size() && numeric; ++j) numeric = parse_number(fields[j], row[j]);
    if (first_content && !numeric) {
      t.columns = fields;  // a header
      width = static_cast<int64_t>(fields.size());
      first_content = false;
      continue;
    }
    first_content = false;
    if (width < 0) width = static_cast<int64_t>(fields.size());
    if (static_cast<int64_t>(fields.size()) != width) {
      fail(source, where + ": " + std::to_string(fields.size()) + " values where " +
                       (t.columns.empty() ? "the first row has " : "the header names ") +
                       std::to_string(width));
    }
    for (size_t j = 0; j < fields.size(); ++j) {
      if (!parse_number(fields[j], row[j])) {
        fail(source, where + ", column " + std::to_string(j + 1) + ": \"" + fields[j] +
                         "\" is not a number");
      }
      if (!std::isfinite(row[j])) {
        fail(source, where + ", column " + std::to_string(j + 1) + ": " + fields[j] +
                         " is not finite; every value must be");
      }
      if (std::abs(row[j]) > std::numeric_limits<float>::max()) {
        fail(source, where + ", column " + std::to_string(j + 1) + ": " + fields[j] +
                         " is beyond float32's range");
      }
      values.push_back(static_cast<float>(row[j]));
    }
    ++rows;
  }
  if (rows == 0) fail(source, "no rows of numbers");
  t.points = torch::from_blob(values.data(), {rows, width}, torch::kFloat).clone();
  check_shape(t);
  return t;
}

namespace {

// The header text of a .npy file and where its data begins.
struct NpyHeader {
  std::string text;
  size_t data_at = 0;
};

NpyHeader npy_header(const std::string& bytes, const std::string& source) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
    fail(source, "not a NumPy .npy file (no \\x93NUMPY magic)");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, data_at = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) |
                 (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    data_at = 10 + header_len;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail(source, ".npy file ends inside its header");
    for (int i = 0; i < 4; ++i)
      header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    data_at = 12 + header_len;
  } else {
    fail(source, ".npy format version " + std::to_string(major) + " is not one of 1, 2, 3");
  }
  if (data_at > bytes.size()) fail(source, ".npy file ends inside its header");
  return {bytes.substr(data_at - header_len, header_len), data_at};
}

// The dimensions of a .npy shape tuple such as "(100, 2)"; a vector is one coordinate per point.
std::vector<int64_t> npy_shape(const std::string& shape_text, const std::string& source) {
  if (shape_text.size() < 2 || shape_text.front() != '(' || shape_text.back() != ')') {
    fail(source, ".npy shape '" + shape_text + "' is not a tuple");
  }
  std::vector<int64_t> shape;
  for (const auto& f : split(shape_text.substr(1, shape_text.size() - 2), ',')) {
    if (f.empty()) continue;
    int64_t v = -1;
    const auto r = std::from_chars(f.data(), f.data() + f.size(), v);
    if (r.ec != std::errc() || r.ptr != f.data() + f.size() || v < 0) {
      fail(source, ".npy shape " + shape_text + " has a bad dimension '" + f + "'");
    }
    shape.push_back(v);
  }
  if (shape.size() == 1) shape.push_back(1);
  if (shape.size() != 2) {
    fail(source, ".npy array has shape " + shape_text + "; points are a 2-D array N x D");
  }
  return shape;
}

}  // namespace

PointTable parse_npy(const std::string& bytes, const std::string& source) {
  PointTable t;
  t.source = source;
  const NpyHeader h = npy_header(bytes, source);
  const std::string& header = h.text;
  const size_t data_at = h.data_at;
  std::string descr = npy_field(header, "descr", source);
  if (descr.size() >= 2 && (descr.front() == '\'' || descr.front() == '"')) {
    descr = descr.substr(1, descr.size() - 2);
  }
  size_t item = 0;
  torch::Dtype dtype = torch::kFloat;
  if (descr == "<f4") {
    item = 4;
  } else if (descr == "<f8") {
    item = 8;
    dtype = torch::kDouble;
  } else {
    fail(source, ".npy dtype '" + descr +
                     "' is not float32 or float64 little-endian ('<f4', '<f8'); convert with "
                     "a.astype('float32')");
  }
  const std::string order = npy_field(header, "fortran_order", source);
  if (order != "True" && order != "False") {
    fail(source, ".npy fortran_order is '" + order + "', not True or False");
  }
  const std::string shape_text = npy_field(header, "shape", source);
  const std::vector<int64_t> shape = npy_shape(shape_text, source);
  const int64_t n = shape[0], d = shape[1];
  const uint64_t available = bytes.size() - data_at;
  if (d > 0 && static_cast<uint64_t>(n) > available / item / static_cast<uint64_t>(d)) {
    fail(source, ".npy shape " + shape_text + " needs more bytes than the file's " +
                     std::to_string(available));
  }
  const uint64_t need = static_cast<uint64_t>(n) * static_cast<uint64_t>(d) * item;
  if (need != available) {
    fail(source, ".npy array of shape " + shape_text + " is " + std::to_string(need) +
                     " bytes but the file holds " + std::to_string(available) +
                     " after the header");
  }
  // Copied out of the string first: its data need not be aligned for floats.
  auto raw = torch::empty({static_cast<int64_t>(need)}, torch::kUInt8);
  if (need > 0) std::memcpy(raw.data_ptr(), bytes.data() + data_at, need);
  auto a = raw.view(dtype);
  a = order == "True" ? a.view({d, n}).t() : a.view({n, d});
  t.points = a.to(torch::kFloat).contiguous();
  check_shape(t);
  if (dtype == torch::kDouble) {
    auto too_big = (a.abs() > std::numeric_limits<float>::max()) & torch::isfinite(a);
    if (too_big.any().item<bool>()) fail(source, "a value is beyond float32's range");
  }
  check_finite(t.points, source);
  return t;
}

PointTable read_point_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw IoError(path + ": no such file");
  if (fs::is_directory(status)) throw IoError(path + ": is a folder; points come from a file");
  if (!fs::is_regular_file(status)) throw IoError(path + ": not a regular file");
  const auto size = fs::file_size(path, ec);
  if (!ec && size > kMaxFileBytes) {
    throw IoError(path + ": " + std::to_string(size >> 20) + " MiB; point files are read whole, " +
                  "up to " + std::to_string(kMaxFileBytes >> 20) + " MiB");
  }
  const std::string bytes = read_file(path);
  if (starts_with(bytes, "\x93NUMPY")) return parse_npy(bytes, path);
  if (bytes.find('\0') != std::string::npos) {
    throw IoError(path + ": binary data, neither a .npy array nor a CSV/TSV table");
  }
  return parse_point_text(bytes, path);
}

void write_points_csv(const std::string& path, const torch::Tensor& points) {
  auto p = points.to(torch::kCPU, torch::kFloat).contiguous();
  if (p.dim() != 2) throw std::invalid_argument("write_points_csv: points must be [N, D]");
  const int64_t n = p.size(0), d = p.size(1);
  const float* v = p.data_ptr<float>();
  write_file_atomically(path, [&](std::ostream& out) {
    for (int64_t j = 0; j < d; ++j) {
      out << (j ? "," : "") << (d == 2 ? std::string(j ? "y" : "x") : "x" + std::to_string(j));
    }
    out << '\n';
    char buf[32];
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < d; ++j) {
        std::snprintf(buf, sizeof buf, "%s%.9g", j ? "," : "", v[i * d + j]);
        out << buf;
      }
      out << '\n';
    }
  });
}

std::string npy_bytes(const torch::Tensor& points) {
  auto p = points.to(torch::kCPU, torch::kFloat).contiguous();
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(p.size(0)) + ", " + std::to_string(p.size(1)) + "), }";
  // Padded with spaces and a newline so the data starts at a multiple of 64 bytes.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  out.append(reinterpret_cast<const char*>(p.data_ptr<float>()),
             static_cast<size_t>(p.numel()) * sizeof(float));
  return out;
}

}  // namespace scorelab
