#include "render/plot_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace scorelab::ui {

void PlotView::half_extents(double w, double h, float& hx, float& hy) const {
  const double s = std::max(1.0, std::min(w, h));
  hx = static_cast<float>(half * w / s);
  hy = static_cast<float>(half * h / s);
}

ImVec2 PlotView::to_screen(double x, double y, ImVec2 origin, ImVec2 size) const {
  float hx, hy;
  half_extents(size.x, size.y, hx, hy);
  return ImVec2(origin.x + static_cast<float>((x - cx) / hx + 1) * 0.5f * size.x,
                origin.y + static_cast<float>(1 - (y - cy) / hy) * 0.5f * size.y);
}

void PlotView::to_world(ImVec2 p, ImVec2 origin, ImVec2 size, double& x, double& y) const {
  float hx, hy;
  half_extents(size.x, size.y, hx, hy);
  x = cx + ((p.x - origin.x) / size.x * 2 - 1) * hx;
  y = cy + (1 - (p.y - origin.y) / size.y * 2) * hy;
}

bool PlotView::handle_input(ImVec2 origin, ImVec2 size, const PlotView& home) {
  if (!ImGui::IsItemHovered()) return false;
  const ImGuiIO& io = ImGui::GetIO();
  bool changed = false;
  if (ImGui::IsMouseDragging(ImGuiMouseButton_Left) &&
      (io.MouseDelta.x != 0 || io.MouseDelta.y != 0)) {
    float hx, hy;
    half_extents(size.x, size.y, hx, hy);
    cx -= io.MouseDelta.x / size.x * 2 * hx;
    cy += io.MouseDelta.y / size.y * 2 * hy;
    changed = true;
  }
  if (io.MouseWheel != 0) {
    double wx, wy;
    to_world(io.MousePos, origin, size, wx, wy);
    const double f = std::pow(0.85, io.MouseWheel);
    half = std::clamp(half * f, 1e-3, 1e3);
    // Keep the world point under the cursor fixed.
    cx = wx + (cx - wx) * f;
    cy = wy + (cy - wy) * f;
    changed = true;
  }
  if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
    cx = home.cx;
    cy = home.cy;
    half = home.half;
    changed = true;
  }
  return changed;
}

void PlotView::draw_axes(ImDrawList* dl, ImVec2 origin, ImVec2 size) const {
  float hx, hy;
  half_extents(size.x, size.y, hx, hy);
  // A "nice" step: 1, 2 or 5 × 10^k giving about 6 ticks on the shorter side.
  const double raw = 2 * half / 6;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw / mag < 2 ? mag : raw / mag < 5 ? 2 * mag : 5 * mag;
  const ImU32 tick = IM_COL32(200, 200, 200, 160), text = IM_COL32(220, 220, 220, 200);
  char buf[32];
  for (double x = std::ceil((cx - hx) / step) * step; x <= cx + hx; x += step) {
    const ImVec2 p = to_screen(x, 0, origin, size);
    dl->AddLine(ImVec2(p.x, origin.y + size.y), ImVec2(p.x, origin.y + size.y - 5), tick);
    std::snprintf(buf, sizeof buf, "%g", std::abs(x) < 1e-9 ? 0.0 : x);
    dl->AddText(ImVec2(p.x + 2, origin.y + size.y - 17), text, buf);
  }
  for (double y = std::ceil((cy - hy) / step) * step; y <= cy + hy; y += step) {
    const ImVec2 p = to_screen(0, y, origin, size);
    dl->AddLine(ImVec2(origin.x, p.y), ImVec2(origin.x + 5, p.y), tick);
    std::snprintf(buf, sizeof buf, "%g", std::abs(y) < 1e-9 ? 0.0 : y);
    dl->AddText(ImVec2(origin.x + 7, p.y - 7), text, buf);
  }
}

}  // namespace scorelab::ui
