#include "metrics/frechet_distance.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "common/atomic_file.h"
#include "common/error.h"

namespace scorelab {

namespace {

// V diag(sqrt(max(λ, 0))) Vᵀ of a symmetric matrix.
torch::Tensor psd_sqrt(const torch::Tensor& m) {
  auto sym = 0.5 * (m + m.t());
  auto [evals, evecs] = torch::linalg_eigh(sym, "L");
  return evecs.mm(torch::diag(evals.clamp_min(0).sqrt())).mm(evecs.t());
}

}  // namespace

GaussianFit fit_gaussian(const torch::Tensor& features, const std::string& what) {
  if (features.dim() != 2) {
    throw ConfigError(what + ": features must be a matrix [samples, dimensions]");
  }
  const int64_t n = features.size(0), d = features.size(1);
  if (n <= d) {
    throw ConfigError(what + ": " + std::to_string(n) + " samples of dimension " +
                      std::to_string(d) +
                      "; the Fréchet distance needs more samples than dimensions (a covariance "
                      "from fewer is singular)");
  }
  auto x = features.to(torch::kCPU, torch::kDouble);
  if (!torch::isfinite(x).all().item<bool>()) {
    throw ConfigError(what + ": features contain NaN or infinite values");
  }
  GaussianFit g;
  g.n = n;
  g.mean = x.mean(0);
  auto c = x - g.mean;
  g.cov = c.t().mm(c) / static_cast<double>(n - 1);
  if (!torch::isfinite(g.cov).all().item<bool>()) {
    // Squares of values past ~1e154 overflow a double; eigh would then "fail to converge".
    char biggest[32];
    std::snprintf(biggest, sizeof biggest, "%.3g", x.abs().max().item<double>());
    throw ConfigError(what + ": values up to " + biggest +
                      " overflow the covariance (squares beyond 1e308); rescale the features");
  }
  return g;
}

double frechet_distance(const GaussianFit& a, const GaussianFit& b) {
  if (a.mean.numel() != b.mean.numel()) {
    throw ConfigError("Fréchet distance: feature dimensions differ (" +
                      std::to_string(a.mean.numel()) + " and " + std::to_string(b.mean.numel()) +
                      ")");
  }
  const double dmu = (a.mean - b.mean).pow(2).sum().item<double>();
  // tr((S1^½ S2 S1^½)^½): the eigenvalues of the symmetric PSD product.
  auto s1 = psd_sqrt(a.cov);
  auto inner = s1.mm(b.cov).mm(s1);
  auto lambda = torch::linalg_eigvalsh(0.5 * (inner + inner.t()), "L");
  const double cross = lambda.clamp_min(0).sqrt().sum().item<double>();
  const double fd = dmu + a.cov.trace().item<double>() + b.cov.trace().item<double>() - 2 * cross;
  return std::max(fd, 0.0);  // rounding can leave -1e-12 for identical sets
}

torch::Tensor read_feature_csv(const std::string& path) {
  return parse_feature_csv(read_file(path, int64_t{1} << 30), path);
}

torch::Tensor parse_feature_csv(const std::string& text, const std::string& path) {
  std::istringstream in(text);
  std::vector<double> values;
  int64_t cols = -1, rows = 0;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    for (char& ch : line) {
      if (ch == ',' || ch == ';' || ch == '\t' || ch == '\r') ch = ' ';
    }
    std::istringstream words(line);
    std::vector<double> row;
    std::string w;
    bool header = false;
    while (words >> w) {
      char* end = nullptr;
      const double v = std::strtod(w.c_str(), &end);
      if (end != w.c_str() && *end == '\0' && !std::isfinite(v)) {
        throw IoError(path + ":" + std::to_string(line_no) + ": '" + w +
                      "' is not a finite number");
      }
      if (end == w.c_str() || *end != '\0') {
        if (line_no == 1) {
          header = true;
          break;
        }
        throw IoError(path + ":" + std::to_string(line_no) + ": '" + w + "' is not a number");
      }
      row.push_back(v);
    }
    if (header || row.empty()) continue;
    if (cols < 0) cols = static_cast<int64_t>(row.size());
    if (static_cast<int64_t>(row.size()) != cols) {
      throw IoError(path + ":" + std::to_string(line_no) + ": " + std::to_string(row.size()) +
                    " values, the first row had " + std::to_string(cols));
    }
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
  }
  if (rows == 0) throw IoError(path + ": no feature rows");
  return torch::tensor(values, torch::kDouble).reshape({rows, cols});
}

}  // namespace scorelab
