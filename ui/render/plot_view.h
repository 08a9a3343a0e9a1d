#pragma once
// The world rectangle a 2D panel shows, with pan (drag), zoom (wheel, at the cursor) and axes.
// Pixels are square: `half` is the world half extent of the canvas's shorter side.
#include <imgui.h>

namespace scorelab::ui {

struct PlotView {
  double cx = 0, cy = 0;  // world point at the canvas centre
  double half = 3;        // world half extent of the shorter side

  // World half extents of a w × h canvas.
  void half_extents(double w, double h, float& hx, float& hy) const;
  // origin/size: the canvas's top-left corner and size in screen pixels.
  ImVec2 to_screen(double x, double y, ImVec2 origin, ImVec2 size) const;
  void to_world(ImVec2 p, ImVec2 origin, ImVec2 size, double& x, double& y) const;
  // Call right after the ImGui::Image that shows the canvas; true when the view changed. Drag
  // pans, the wheel zooms at the cursor, a double click goes back to `home`.
  bool handle_input(ImVec2 origin, ImVec2 size, const PlotView& home);
  // Tick marks and labels along the left and bottom edges, inside the canvas.
  void draw_axes(ImDrawList* dl, ImVec2 origin, ImVec2 size) const;
};

}  // namespace scorelab::ui
