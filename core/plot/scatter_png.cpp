#include "plot/scatter_png.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/atomic_file.h"
#include "common/error.h"
#include "plot/png_writer.h"

namespace scorelab {

namespace {

struct ScatterCanvas {
  int w, h;
  std::vector<float> rgb;  // linear 0..1
  ScatterCanvas(int w_, int h_) : w(w_), h(h_), rgb(static_cast<size_t>(w_) * h_ * 3, 1.0f) {}
  void blend(int x, int y, const float c[3], float a) {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    float* p = &rgb[(static_cast<size_t>(y) * w + x) * 3];
    for (int k = 0; k < 3; ++k) p[k] = p[k] * (1 - a) + c[k] * a;
  }
};

struct View {
  double x0, x1, y0, y1;
};

View fit_view(const torch::Tensor& real) {
  auto r = real.to(torch::kCPU, torch::kDouble);
  auto finite = torch::isfinite(r).all(1);
  r = r.index({finite});
  if (r.size(0) < 2) return {-3, 3, -3, 3};
  auto q = torch::quantile(r, torch::tensor({0.005, 0.995}, r.options()), 0);  // [2, 2]
  double x0 = q[0][0].item<double>(), x1 = q[1][0].item<double>();
  double y0 = q[0][1].item<double>(), y1 = q[1][1].item<double>();
  // Square view with a 25% margin, so both axes share one scale.
  const double cx = 0.5 * (x0 + x1), cy = 0.5 * (y0 + y1);
  const double half = 0.625 * std::max({x1 - x0, y1 - y0, 1e-3});
  return {cx - half, cx + half, cy - half, cy + half};
}

void draw_points(ScatterCanvas& c, int ox, int size, const View& v, const torch::Tensor& pts,
                 const float color[3], float alpha) {
  auto p = pts.to(torch::kCPU, torch::kFloat).contiguous();
  const float* d = p.data_ptr<float>();
  for (int64_t i = 0; i < p.size(0); ++i) {
    const double x = d[2 * i], y = d[2 * i + 1];
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    const int px = ox + static_cast<int>((x - v.x0) / (v.x1 - v.x0) * size);
    const int py = static_cast<int>((v.y1 - y) / (v.y1 - v.y0) * size);
    if (px < ox || px >= ox + size) continue;
    for (int dy = 0; dy < 2; ++dy)
      for (int dx = 0; dx < 2; ++dx) c.blend(px + dx, py + dy, color, alpha);
  }
}

void draw_frame(ScatterCanvas& c, int ox, int size, const View& v) {
  const float grid[3] = {0.85f, 0.85f, 0.85f}, axis[3] = {0.55f, 0.55f, 0.55f};
  // Unit grid lines (or every 5 units for wide views) and the axes through the origin.
  const double span = v.x1 - v.x0;
  const double unit = span > 40 ? 5.0 : (span > 8 ? 1.0 : 0.5);
  for (double g = std::ceil(v.x0 / unit) * unit; g <= v.x1; g += unit) {
    const int px = ox + static_cast<int>((g - v.x0) / span * size);
    const bool zero = std::fabs(g) < 1e-9;
    for (int y = 0; y < size; ++y) c.blend(px, y, zero ? axis : grid, 1);
  }
  for (double g = std::ceil(v.y0 / unit) * unit; g <= v.y1; g += unit) {
    const int py = static_cast<int>((v.y1 - g) / (v.y1 - v.y0) * size);
    const bool zero = std::fabs(g) < 1e-9;
    for (int x = ox; x < ox + size; ++x) c.blend(x, py, zero ? axis : grid, 1);
  }
  const float border[3] = {0.3f, 0.3f, 0.3f};
  for (int i = 0; i < size; ++i) {
    c.blend(ox + i, 0, border, 1);
    c.blend(ox + i, size - 1, border, 1);
    c.blend(ox, i, border, 1);
    c.blend(ox + size - 1, i, border, 1);
  }
}

}  // namespace

void write_scatter_png(const std::string& path, const torch::Tensor& real,
                       const torch::Tensor& generated, int size) {
  const View v = fit_view(real);
  ScatterCanvas c(2 * size, size);
  draw_frame(c, 0, size, v);
  draw_frame(c, size, size, v);
  const float blue[3] = {0.12f, 0.35f, 0.75f}, grey[3] = {0.6f, 0.6f, 0.6f},
              orange[3] = {0.95f, 0.45f, 0.05f};
  const float alpha = std::clamp(1500.0f / std::max<int64_t>(real.size(0), 1), 0.2f, 0.8f);
  draw_points(c, 0, size, v, real, blue, alpha);
  draw_points(c, size, size, v, real, grey, alpha * 0.5f);
  draw_points(c, size, size, v, generated, orange, alpha);
  std::vector<unsigned char> bytes(c.rgb.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<unsigned char>(std::clamp(c.rgb[i], 0.0f, 1.0f) * 255.0f + 0.5f);
  }
  write_file_atomically(path, encode_png(bytes.data(), c.w, c.h));
}

}  // namespace scorelab
