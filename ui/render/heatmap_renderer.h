#pragma once
// A scalar field sampled on a regular grid over a world rectangle, drawn as a colour ramp or as
// iso-lines (shaders/heatmap.frag); the GPU interpolates between grid nodes.
#include <glad/gl.h>

#include <cstdint>

#include "render/plot_view.h"
#include "render/shader_program.h"

namespace scorelab::ui {

struct HeatmapStyle {
  float vmin = 0, vmax = 1;
  int palette = 0;  // 0 ramp, 1 heat (errors), 2 iso-lines
  float opacity = 1;
  float levels = 8;  // iso-lines
  float line_rgba[4] = {1, 1, 1, 0.6f};
};

class HeatmapRenderer {
 public:
  HeatmapRenderer();
  ~HeatmapRenderer();
  HeatmapRenderer(const HeatmapRenderer&) = delete;
  HeatmapRenderer& operator=(const HeatmapRenderer&) = delete;

  // values: ny rows of nx, the first row at y0; nodes span [x0, x1] × [y0, y1].
  void upload(const float* values, int64_t nx, int64_t ny, double x0, double x1, double y0,
              double y1);
  bool empty() const { return nx_ == 0; }
  void clear() { nx_ = 0; }
  void draw(const ShaderProgram& heatmap, const PlotView& view, int w, int h,
            const HeatmapStyle& style) const;

 private:
  GLuint vao_ = 0, vbo_ = 0, tex_ = 0;
  int64_t nx_ = 0, ny_ = 0;
  float lo_[2] = {0, 0}, hi_[2] = {0, 0};
};

}  // namespace scorelab::ui
