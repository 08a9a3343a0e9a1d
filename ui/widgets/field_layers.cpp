#include "widgets/field_layers.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "app_context.h"

namespace scorelab::ui {

namespace {

// Arrows longer than max_len (near a sharp mode the score is huge) are clipped to it.
std::vector<LineVertex> arrows(const torch::Tensor& points, const torch::Tensor& vec, float scale,
                               float max_len, const float rgba[4]) {
  auto p = points.to(torch::kFloat).contiguous();
  auto v = vec.to(torch::kFloat).contiguous();
  const float* pp = p.data_ptr<float>();
  const float* vp = v.data_ptr<float>();
  std::vector<LineVertex> out;
  out.reserve(static_cast<size_t>(p.size(0)) * 6);
  for (int64_t i = 0; i < p.size(0); ++i) {
    float dx = vp[2 * i] * scale, dy = vp[2 * i + 1] * scale;
    const float len = std::sqrt(dx * dx + dy * dy);
    if (len > max_len) {
      dx *= max_len / len;
      dy *= max_len / len;
    }
    append_arrow(out, pp[2 * i], pp[2 * i + 1], dx, dy, rgba);
  }
  return out;
}

float percentile_norm(const torch::Tensor& vec, double q) {
  auto n = vec.to(torch::kFloat).norm(2, 1);
  n = n.masked_select(torch::isfinite(n));
  if (n.numel() == 0) return 1;
  auto sorted = std::get<0>(n.sort());
  const int64_t i = std::min<int64_t>(n.numel() - 1, static_cast<int64_t>(q * n.numel()));
  return std::max(sorted[i].item<float>(), 1e-12f);
}

float cell_size(const FieldRequest& q) {
  return static_cast<float>(std::min((q.x1 - q.x0) / (q.nx - 1), (q.y1 - q.y0) / (q.ny - 1)));
}

}  // namespace

void FieldLayers::upload(FieldResult r, float cell_fraction) {
  result = std::move(r);
  const FieldRequest& q = result.request;
  const float scale = cell_fraction * cell_size(q) / percentile_norm(result.learned, 0.95);
  const float max_len = 1.3f * cell_size(q);
  learned_arrows.upload(arrows(result.points, result.learned, scale, max_len, colors::learned));
  has_exact = result.exact.defined();
  if (has_exact) {
    exact_arrows.upload(arrows(result.points, result.exact, scale, max_len, colors::exact));
    auto ld = result.log_density.to(torch::kFloat).contiguous();
    auto finite = ld.masked_select(torch::isfinite(ld));
    density_hi = finite.numel() ? finite.max().item<float>() : 1.f;
    // Eight nats below the peak shows the shape without flattening it.
    density_lo = density_hi - 8.f;
    density.upload(ld.data_ptr<float>(), q.nx, q.ny, q.x0, q.x1, q.y0, q.y1);
    auto err = (result.learned - result.exact).norm(2, 1).contiguous();
    error_hi = percentile_norm(result.exact, 0.95);
    error.upload(err.data_ptr<float>(), q.nx, q.ny, q.x0, q.x1, q.y0, q.y1);
  }
}

void FieldLayers::upload_difference(const FieldResult& a, const FieldResult& b,
                                    float cell_fraction) {
  result = a;
  result.learned = a.learned - b.learned;
  result.exact = torch::Tensor();
  has_exact = false;
  const float scale = cell_fraction * cell_size(a.request) / percentile_norm(result.learned, 0.95);
  learned_arrows.upload(
      arrows(result.points, result.learned, scale, 1.3f * cell_size(a.request), colors::fake));
}

int64_t FieldLayers::nearest_node(double x, double y) const {
  if (!result.points.defined()) return -1;
  const FieldRequest& q = result.request;
  const auto ix = std::lround((x - q.x0) / (q.x1 - q.x0) * (q.nx - 1));
  const auto iy = std::lround((y - q.y0) / (q.y1 - q.y0) * (q.ny - 1));
  if (ix < 0 || iy < 0 || ix >= q.nx || iy >= q.ny) return -1;
  return iy * q.nx + ix;
}

}  // namespace scorelab::ui
