#include "widgets/line_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace scorelab::ui {

ImU32 series_color(int i) {
  static constexpr ImU32 palette[] = {IM_COL32(255, 160, 60, 255),  IM_COL32(90, 160, 255, 255),
                                      IM_COL32(120, 220, 120, 255), IM_COL32(230, 100, 200, 255),
                                      IM_COL32(240, 230, 90, 255),  IM_COL32(160, 160, 160, 255)};
  return palette[i % 6];
}

PlotSeries step_series(std::string label, const std::vector<int64_t>& steps,
                       const std::vector<double>& values, ImU32 color) {
  PlotSeries s{std::move(label), std::vector<double>(steps.begin(), steps.end()), values, color};
  return s;
}

PlotSeries point_series(std::string label, const std::vector<std::pair<double, double>>& points,
                        ImU32 color) {
  PlotSeries s{std::move(label), {}, {}, color};
  s.x.reserve(points.size());
  s.y.reserve(points.size());
  for (const auto& [x, y] : points) {
    s.x.push_back(x);
    s.y.push_back(y);
  }
  return s;
}

namespace {

// The data's range over every series: steps on x, finite values on y.
struct Extent {
  double x_lo = std::numeric_limits<double>::max(), x_hi = std::numeric_limits<double>::lowest();
  double y_lo = x_lo, y_hi = x_hi;
  bool all_positive = true;
  bool empty() const { return x_lo > x_hi || y_lo > y_hi; }
};

Extent extent_of(const std::vector<PlotSeries>& series) {
  Extent e;
  for (const auto& s : series) {
    if (s.y.empty()) continue;
    e.x_lo = std::min(e.x_lo, s.x.front());
    e.x_hi = std::max(e.x_hi, s.x.back());
    for (double v : s.y) {
      if (!std::isfinite(v)) continue;
      e.y_lo = std::min(e.y_lo, v);
      e.y_hi = std::max(e.y_hi, v);
      e.all_positive &= v > 0;
    }
  }
  return e;
}

// Data to screen: x from steps, y from values (log10 when logy), inside [left, right] × [top,
// bottom] of the plot rectangle.
struct Axes {
  double x_lo, x_hi, a, b;  // a, b: the y range after the log and a 5% margin
  bool logy;
  float left, right, top, bottom;
  double fy(double v) const { return logy ? std::log10(v) : v; }
  float sx(double x) const {
    return left + static_cast<float>((x - x_lo) / (x_hi - x_lo)) * (right - left);
  }
  float sy(double v) const {
    return bottom - static_cast<float>((fy(v) - a) / (b - a)) * (bottom - top);
  }
};

Axes axes_for(Extent e, bool log_y, ImVec2 p0, ImVec2 p1, float top) {
  Axes ax;
  ax.logy = log_y && e.all_positive;
  ax.a = ax.fy(e.y_lo);
  ax.b = ax.fy(e.y_hi);
  if (ax.b - ax.a < 1e-12) {
    ax.a -= 0.5;
    ax.b += 0.5;
  }
  const double pad = 0.05 * (ax.b - ax.a);
  ax.a -= pad;
  ax.b += pad;
  if (!ax.logy && e.y_lo >= 0) ax.a = std::max(ax.a, 0.0);  // counts and rates: nothing below 0
  ax.x_lo = e.x_lo;
  const double min_span = e.x_hi < 10 ? 0.01 : 1;  // seconds can be short; steps are whole
  ax.x_hi = e.x_hi - e.x_lo < min_span ? e.x_lo + min_span : e.x_hi;
  ax.left = p0.x + 46;
  ax.right = p1.x - 6;
  ax.top = top;
  ax.bottom = p1.y - 14;
  return ax;
}

void draw_axis_labels(ImDrawList* dl, const Axes& ax, ImVec2 p0, const char* x_unit) {
  char buf[64];
  std::snprintf(buf, sizeof buf, ax.logy ? "%.2g" : "%.3g", ax.logy ? std::pow(10, ax.b) : ax.b);
  dl->AddText(ImVec2(p0.x + 2, ax.top - 2), IM_COL32(170, 170, 170, 255), buf);
  std::snprintf(buf, sizeof buf, ax.logy ? "%.2g" : "%.3g", ax.logy ? std::pow(10, ax.a) : ax.a);
  dl->AddText(ImVec2(p0.x + 2, ax.bottom - 12), IM_COL32(170, 170, 170, 255), buf);
  if (std::strcmp(x_unit, "step") == 0) {
    std::snprintf(buf, sizeof buf, "step %lld", static_cast<long long>(ax.x_hi));
  } else {
    std::snprintf(buf, sizeof buf, "%.3g %s", ax.x_hi, x_unit);
  }
  dl->AddText(ImVec2(ax.right - ImGui::CalcTextSize(buf).x, ax.bottom),
              IM_COL32(170, 170, 170, 255), buf);
  if (ax.logy) dl->AddText(ImVec2(ax.left + 2, ax.bottom), IM_COL32(120, 120, 120, 255), "log y");
}

void draw_series(ImDrawList* dl, const PlotSeries& s, const Axes& ax) {
  if (s.y.empty()) return;
  const auto& xs = s.x;
  const auto& ys = s.y;
  // At most ~2 points per pixel column.
  const size_t stride =
      std::max<size_t>(1, ys.size() / static_cast<size_t>(2 * (ax.right - ax.left) + 1));
  ImVec2 prev;
  bool have_prev = false;
  for (size_t k = 0; k < ys.size(); k += stride) {
    if (!std::isfinite(ys[k]) || (ax.logy && ys[k] <= 0)) {
      have_prev = false;
      continue;
    }
    const ImVec2 p(ax.sx(xs[k]), ax.sy(ys[k]));
    if (have_prev) dl->AddLine(prev, p, s.color, 1.5f);
    if (ys.size() == 1) dl->AddCircleFilled(p, 2.5f, s.color);
    prev = p;
    have_prev = true;
  }
}

// "step 1200" or "3.5 s".
std::string x_text(double x, const char* x_unit) {
  char buf[48];
  if (std::strcmp(x_unit, "step") == 0) {
    std::snprintf(buf, sizeof buf, "step %.0f", x);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g %s", x, x_unit);
  }
  return buf;
}

// Each series' value at the x under the mouse.
void hover_tooltip(ImDrawList* dl, const std::vector<PlotSeries>& series, const Axes& ax,
                   const char* x_unit) {
  const float mx = ImGui::GetIO().MousePos.x;
  const double x = ax.x_lo + (mx - ax.left) / (ax.right - ax.left) * (ax.x_hi - ax.x_lo);
  dl->AddLine(ImVec2(mx, ax.top), ImVec2(mx, ax.bottom), IM_COL32(255, 255, 255, 60));
  ImGui::BeginTooltip();
  ImGui::TextUnformatted(x_text(x, x_unit).c_str());
  for (const auto& s : series) {
    if (s.y.empty()) continue;
    auto it = std::lower_bound(s.x.begin(), s.x.end(), x);
    if (it == s.x.end()) --it;
    const size_t k = static_cast<size_t>(it - s.x.begin());
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.color), "%s %.4g (%s)", s.label.c_str(),
                       s.y[k], x_text(s.x[k], x_unit).c_str());
  }
  ImGui::EndTooltip();
}

// The legend after the title, wrapping to more lines as needed; returns the y below it.
float draw_legend(ImDrawList* dl, const char* title, const std::vector<PlotSeries>& series,
                  ImVec2 p0, ImVec2 p1) {
  const float line_h = ImGui::GetTextLineHeight();
  float x = p0.x + 8 + ImGui::CalcTextSize(title).x + 10, y = p0.y + 2;
  for (const auto& s : series) {
    const float w = ImGui::CalcTextSize(s.label.c_str()).x;
    if (x + w > p1.x - 4 && x > p0.x + 8) {
      x = p0.x + 8;
      y += line_h;
    }
    dl->AddText(ImVec2(x, y), s.color, s.label.c_str());
    x += w + 10;
  }
  return y + line_h + 2;
}

}  // namespace

void line_plot(const char* title, const std::vector<PlotSeries>& series, ImVec2 size, bool log_y,
               const char* x_unit) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(title, size);
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 p1(p0.x + size.x, p0.y + size.y);
  dl->AddRectFilled(p0, p1, IM_COL32(20, 20, 24, 255));
  dl->AddRect(p0, p1, IM_COL32(70, 70, 80, 255));
  dl->AddText(ImVec2(p0.x + 4, p0.y + 2), IM_COL32(220, 220, 220, 255), title);
  const Extent e = extent_of(series);
  if (e.empty()) {
    dl->AddText(ImVec2(p0.x + 4, p0.y + 18), IM_COL32(150, 150, 150, 255), "no data yet");
    return;
  }
  const float top = std::min(draw_legend(dl, title, series, p0, p1), p1.y - 40);
  const Axes ax = axes_for(e, log_y, p0, p1, top);
  draw_axis_labels(dl, ax, p0, x_unit);
  for (const auto& s : series) draw_series(dl, s, ax);
  if (hovered) hover_tooltip(dl, series, ax, x_unit);
}

}  // namespace scorelab::ui
