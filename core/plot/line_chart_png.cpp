#include "plot/line_chart_png.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "common/atomic_file.h"
#include "plot/png_writer.h"

#ifdef SCORELAB_HAVE_STB
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop
#endif

namespace scorelab {

namespace {

using Rgb = std::array<unsigned char, 3>;

struct ChartCanvas {
  int w, h;
  std::vector<unsigned char> px;
  ChartCanvas(int width, int height)
      : w(width), h(height), px(static_cast<size_t>(w) * h * 3, 255) {}

  void blend(int x, int y, const Rgb& c, double a = 1) {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    unsigned char* p = &px[(static_cast<size_t>(y) * w + x) * 3];
    for (int k = 0; k < 3; ++k) p[k] = static_cast<unsigned char>(p[k] + a * (c[k] - p[k]) + 0.5);
  }
  void rect(int x0, int y0, int x1, int y1, const Rgb& c, double a = 1) {
    for (int y = std::max(0, y0); y < std::min(h, y1); ++y)
      for (int x = std::max(0, x0); x < std::min(w, x1); ++x) blend(x, y, c, a);
  }
  // A line about two pixels wide: a disc of radius 1 stamped along it, clipped to the box.
  void line(double x0, double y0, double x1, double y1, const Rgb& c, int bx0, int by0, int bx1,
            int by1) {
    const double len = std::hypot(x1 - x0, y1 - y0);
    const int n = std::max(1, static_cast<int>(std::ceil(len * 2)));
    for (int i = 0; i <= n; ++i) {
      const double t = static_cast<double>(i) / n;
      const double x = x0 + t * (x1 - x0), y = y0 + t * (y1 - y0);
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int px_x = static_cast<int>(std::lround(x)) + dx;
          const int px_y = static_cast<int>(std::lround(y)) + dy;
          if (px_x < bx0 || px_x >= bx1 || px_y < by0 || px_y >= by1) continue;
          blend(px_x, px_y, c, dx && dy ? 0.25 : 0.6);
        }
    }
  }
  // Text with its top-left corner at (x, y), `scale` pixels per font pixel.
  void text(int x, int y, const std::string& s, const Rgb& c, int scale = 1) {
#ifdef SCORELAB_HAVE_STB
    std::vector<char> buf(s.size() * 1024 + 1024);  // up to ~16 quads of 64 bytes a glyph
    std::string copy = s;
    const int quads =
        stb_easy_font_print(0, 0, copy.data(), nullptr, buf.data(), static_cast<int>(buf.size()));
    for (int q = 0; q < quads; ++q) {
      const float* v0 = reinterpret_cast<const float*>(buf.data() + q * 64);
      const float* v2 = reinterpret_cast<const float*>(buf.data() + q * 64 + 32);
      rect(x + static_cast<int>(v0[0] * scale), y + static_cast<int>(v0[1] * scale),
           x + static_cast<int>(v2[0] * scale), y + static_cast<int>(v2[1] * scale), c);
    }
#else
    (void)x, (void)y, (void)s, (void)c, (void)scale;  // no font in this build: lines only
#endif
  }
  static int text_width(const std::string& s, int scale = 1) {
#ifdef SCORELAB_HAVE_STB
    std::string copy = s;
    return stb_easy_font_width(copy.data()) * scale;
#else
    return static_cast<int>(s.size()) * 6 * scale;
#endif
  }
};

// Round tick values covering [lo, hi], about `n` of them.
std::vector<double> ticks(double lo, double hi, int n) {
  const double raw = (hi - lo) / n;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> t;
  for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) {
    t.push_back(std::abs(v) < 1e-12 * step ? 0 : v);
  }
  return t;
}

std::string label_of(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

const std::vector<Rgb>& chart_colors() {
  static const std::vector<Rgb> c = {
      {31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
      {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
  return c;
}

std::vector<unsigned char> render_line_chart(const std::vector<ChartLine>& lines,
                                             const ChartText& text, bool log_y, int width,
                                             int height) {
  ChartCanvas cv(width, height);
  const Rgb ink{40, 40, 40}, grid{225, 225, 225};
  const int left = 80, right = width - 20, top = 50, bottom = height - 60;
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  auto ty = [log_y](double y) { return log_y ? std::log10(y) : y; };
  for (const auto& l : lines)
    for (const auto& [x, y] : l.points) {
      if (!std::isfinite(x) || !std::isfinite(y) || (log_y && y <= 0)) continue;
      x0 = std::min(x0, x), x1 = std::max(x1, x);
      y0 = std::min(y0, ty(y)), y1 = std::max(y1, ty(y));
    }
  if (!(x1 >= x0)) x0 = 0, x1 = 1, y0 = 0, y1 = 1;  // nothing to draw: empty axes
  if (x1 - x0 < 1e-12) x0 -= 0.5, x1 += 0.5;
  if (y1 - y0 < 1e-12 * std::max(1.0, std::abs(y0))) y0 -= 0.5, y1 += 0.5;
  const double pad = 0.05 * (y1 - y0);
  y0 -= pad, y1 += pad;
  auto sx = [&](double x) { return left + (x - x0) / (x1 - x0) * (right - left); };
  auto sy = [&](double y) { return bottom - (y - y0) / (y1 - y0) * (bottom - top); };

  for (double t : ticks(x0, x1, 8)) {
    const int x = static_cast<int>(std::lround(sx(t)));
    cv.rect(x, top, x + 1, bottom, grid);
    const std::string s = label_of(t);
    cv.text(x - ChartCanvas::text_width(s) / 2, bottom + 6, s, ink);
  }
  for (double t : ticks(y0, y1, 6)) {
    const int y = static_cast<int>(std::lround(sy(t)));
    cv.rect(left, y, right, y + 1, grid);
    const std::string s = log_y ? label_of(std::pow(10, t)) : label_of(t);
    cv.text(left - 6 - ChartCanvas::text_width(s), y - 4, s, ink);
  }
  cv.rect(left, top, right, top + 1, ink);
  cv.rect(left, bottom, right, bottom + 1, ink);
  cv.rect(left, top, left + 1, bottom, ink);
  cv.rect(right - 1, top, right, bottom, ink);
  cv.text(left, 12, text.title, ink, 2);
  cv.text((left + right - ChartCanvas::text_width(text.x_label)) / 2, bottom + 28, text.x_label,
          ink);
  cv.text(left, top - 14, text.y_label + (log_y ? " (log scale)" : ""), ink);

  for (size_t i = 0; i < lines.size(); ++i) {
    const Rgb& c = chart_colors()[i % chart_colors().size()];
    bool have = false;
    double px = 0, py = 0;
    for (const auto& [x, y] : lines[i].points) {
      if (!std::isfinite(x) || !std::isfinite(y) || (log_y && y <= 0)) continue;
      const double qx = sx(x), qy = sy(ty(y));
      if (have)
        cv.line(px, py, qx, qy, c, left + 1, top + 1, right - 1, bottom);
      else
        cv.rect(static_cast<int>(qx) - 1, static_cast<int>(qy) - 1, static_cast<int>(qx) + 2,
                static_cast<int>(qy) + 2, c);
      px = qx, py = qy, have = true;
    }
  }
  // Legend in the top right corner of the plot, on a white box.
  int legend_w = 0;
  for (const auto& l : lines) legend_w = std::max(legend_w, ChartCanvas::text_width(l.label));
  legend_w = std::min(legend_w + 34, right - left - 8);
  const int lx = right - 6 - legend_w, ly = top + 6;
  if (!lines.empty()) {
    cv.rect(lx, ly, right - 6, ly + 8 + 14 * static_cast<int>(lines.size()), {255, 255, 255}, 0.9);
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const Rgb& c = chart_colors()[i % chart_colors().size()];
    const int y = ly + 6 + 14 * static_cast<int>(i);
    cv.rect(lx + 6, y + 3, lx + 24, y + 6, c);
    cv.text(lx + 30, y, lines[i].label, ink);
  }
  return cv.px;
}

void write_line_chart_png(const std::string& path, const std::vector<ChartLine>& lines,
                          const ChartText& text, bool log_y, int width, int height) {
  const auto px = render_line_chart(lines, text, log_y, width, height);
  write_file_atomically(path, encode_png(px.data(), width, height));
}

}  // namespace scorelab
