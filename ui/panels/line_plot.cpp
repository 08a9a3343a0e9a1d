#include "panels/line_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace scorelab::ui {

ImU32 series_color(int i) {
  static constexpr ImU32 palette[] = {IM_COL32(255, 160, 60, 255),  IM_COL32(90, 160, 255, 255),
                                      IM_COL32(120, 220, 120, 255), IM_COL32(230, 100, 200, 255),
                                      IM_COL32(240, 230, 90, 255),  IM_COL32(160, 160, 160, 255)};
  return palette[i % 6];
}

void line_plot(const char* title, const std::vector<PlotSeries>& series, ImVec2 size, bool log_y) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(title, size);
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 p1(p0.x + size.x, p0.y + size.y);
  dl->AddRectFilled(p0, p1, IM_COL32(20, 20, 24, 255));
  dl->AddRect(p0, p1, IM_COL32(70, 70, 80, 255));
  dl->AddText(ImVec2(p0.x + 4, p0.y + 2), IM_COL32(220, 220, 220, 255), title);

  double x_lo = std::numeric_limits<double>::max(), x_hi = std::numeric_limits<double>::lowest();
  double y_lo = x_lo, y_hi = x_hi;
  bool all_positive = true;
  for (const auto& s : series) {
    if (!s.values || s.values->empty()) continue;
    x_lo = std::min(x_lo, static_cast<double>(s.steps->front()));
    x_hi = std::max(x_hi, static_cast<double>(s.steps->back()));
    for (double v : *s.values) {
      if (!std::isfinite(v)) continue;
      y_lo = std::min(y_lo, v);
      y_hi = std::max(y_hi, v);
      all_positive &= v > 0;
    }
  }
  if (x_lo > x_hi || y_lo > y_hi) {
    dl->AddText(ImVec2(p0.x + 4, p0.y + 18), IM_COL32(150, 150, 150, 255), "no data yet");
    return;
  }
  const bool logy = log_y && all_positive;
  auto fy = [&](double v) { return logy ? std::log10(v) : v; };
  double a = fy(y_lo), b = fy(y_hi);
  if (b - a < 1e-12) {
    a -= 0.5;
    b += 0.5;
  }
  const double pad = 0.05 * (b - a);
  a -= pad;
  b += pad;
  if (!logy && y_lo >= 0) a = std::max(a, 0.0);  // counts and rates: no axis below zero
  if (x_hi - x_lo < 1) x_hi = x_lo + 1;
  const float left = p0.x + 46, right = p1.x - 6, top = p0.y + 18, bottom = p1.y - 14;
  auto sx = [&](double x) {
    return left + static_cast<float>((x - x_lo) / (x_hi - x_lo)) * (right - left);
  };
  auto sy = [&](double v) {
    return bottom - static_cast<float>((fy(v) - a) / (b - a)) * (bottom - top);
  };
  char buf[64];
  std::snprintf(buf, sizeof buf, logy ? "%.2g" : "%.3g", logy ? std::pow(10, b) : b);
  dl->AddText(ImVec2(p0.x + 2, top - 2), IM_COL32(170, 170, 170, 255), buf);
  std::snprintf(buf, sizeof buf, logy ? "%.2g" : "%.3g", logy ? std::pow(10, a) : a);
  dl->AddText(ImVec2(p0.x + 2, bottom - 12), IM_COL32(170, 170, 170, 255), buf);
  std::snprintf(buf, sizeof buf, "step %lld", static_cast<long long>(x_hi));
  dl->AddText(ImVec2(right - ImGui::CalcTextSize(buf).x, bottom), IM_COL32(170, 170, 170, 255),
              buf);
  if (logy) dl->AddText(ImVec2(left + 2, bottom), IM_COL32(120, 120, 120, 255), "log y");

  float legend_x = p0.x + 8 + ImGui::CalcTextSize(title).x + 10;
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    dl->AddText(ImVec2(legend_x, p0.y + 2), s.color, s.label.c_str());
    legend_x += ImGui::CalcTextSize(s.label.c_str()).x + 10;
    if (!s.values || s.values->size() < 1) continue;
    const auto& xs = *s.steps;
    const auto& ys = *s.values;
    // At most ~2 points per pixel column.
    const size_t stride =
        std::max<size_t>(1, ys.size() / static_cast<size_t>(2 * (right - left) + 1));
    ImVec2 prev;
    bool have_prev = false;
    for (size_t k = 0; k < ys.size(); k += stride) {
      if (!std::isfinite(ys[k]) || (logy && ys[k] <= 0)) {
        have_prev = false;
        continue;
      }
      const ImVec2 p(sx(static_cast<double>(xs[k])), sy(ys[k]));
      if (have_prev) dl->AddLine(prev, p, s.color, 1.5f);
      if (ys.size() == 1) dl->AddCircleFilled(p, 2.5f, s.color);
      prev = p;
      have_prev = true;
    }
  }
  if (hovered) {
    const float mx = ImGui::GetIO().MousePos.x;
    const double step = x_lo + (mx - left) / (right - left) * (x_hi - x_lo);
    dl->AddLine(ImVec2(mx, top), ImVec2(mx, bottom), IM_COL32(255, 255, 255, 60));
    ImGui::BeginTooltip();
    ImGui::Text("step %.0f", step);
    for (const auto& s : series) {
      if (!s.values || s.values->empty()) continue;
      auto it = std::lower_bound(s.steps->begin(), s.steps->end(), static_cast<int64_t>(step));
      if (it == s.steps->end()) --it;
      const size_t k = static_cast<size_t>(it - s.steps->begin());
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(s.color), "%s %.4g (step %lld)",
                         s.label.c_str(), (*s.values)[k], static_cast<long long>((*s.steps)[k]));
    }
    ImGui::EndTooltip();
  }
}

}  // namespace scorelab::ui
