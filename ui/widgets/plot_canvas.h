#pragma once
// One 2D plot inside a panel: world-space layers rendered by GLSL programs into an offscreen
// canvas, shown with ImGui::Image, with pan/zoom and axes drawn by ImGui on top.
#include <imgui.h>

#include <cstdint>
#include <functional>

#include "render/gl_canvas.h"
#include "render/plot_view.h"

namespace scorelab::ui {

struct AppContext;

class PlotCanvas {
 public:
  // Shows the canvas of `size` pixels at the cursor, first re-rendering it through
  // `layers(w, h)` when `content` (a number the panel bumps whenever its layers change), the size
  // or the view changed: most frames nothing did, and software GL pays for every pixel. New
  // content waits while this frame's re-render budget (AppContext) is spent. Its
  // context menu (right click) saves it as PNG, then shows the panel's own items (`menu`).
  // Returns true when the user panned or zoomed.
  bool show(AppContext& ctx, const char* id, ImVec2 size, PlotView& view, uint64_t content,
            const std::function<void(int w, int h)>& layers, bool axes = true, bool pan_zoom = true,
            const std::function<void()>& menu = {});

  ImVec2 origin() const { return origin_; }
  ImVec2 size() const { return size_; }
  bool hovered() const { return hovered_; }
  const GlCanvas& canvas() const { return canvas_; }

 private:
  GlCanvas canvas_;
  ImVec2 origin_{0, 0}, size_{0, 0};
  bool hovered_ = false;
  uint64_t rendered_content_ = ~0ull;
  PlotView rendered_view_{1e300, 1e300, 0};
};

}  // namespace scorelab::ui
