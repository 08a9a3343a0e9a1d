#pragma once
// The Fréchet distance between Gaussians fitted to two feature sets (FID when the features come
// from a fixed network): |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2), all in float64.
#include <torch/torch.h>

#include <string>

namespace scorelab {

struct GaussianFit {
  torch::Tensor mean;  // [D] float64
  torch::Tensor cov;   // [D, D] float64, over N - 1
  int64_t n = 0;
};

// Mean and covariance of features [N, D]. Throws ConfigError unless N > D (with fewer samples
// the covariance is singular and the distance meaningless); `what` names the set in the message.
GaussianFit fit_gaussian(const torch::Tensor& features, const std::string& what = "features");

// Square roots of symmetric positive semi-definite matrices go through a symmetric
// eigendecomposition with negative eigenvalues (rounding) clamped to 0.
double frechet_distance(const GaussianFit& a, const GaussianFit& b);

// Reads a feature file: one sample per line, numbers separated by commas, spaces or tabs; an
// optional first line of column names is skipped. Throws IoError naming the file and line.
// Values must be finite; the file is read whole, up to 1 GiB.
torch::Tensor read_feature_csv(const std::string& path);
// The same over the file's text; `name` stands for the file in messages.
torch::Tensor parse_feature_csv(const std::string& text, const std::string& name);

}  // namespace scorelab
