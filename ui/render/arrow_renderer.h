#pragma once
// Coloured line segments in world space: score-field arrows, particle trails and trajectories.
#include <glad/gl.h>

#include <vector>

#include "render/plot_view.h"
#include "render/shader_program.h"

namespace scorelab::ui {

struct LineVertex {
  float x, y, r, g, b, a;
};

// Appends an arrow from (x, y) along (dx, dy): a shaft and two head strokes (6 vertices).
void append_arrow(std::vector<LineVertex>& out, float x, float y, float dx, float dy,
                  const float rgba[4]);

class LineRenderer {
 public:
  LineRenderer();
  ~LineRenderer();
  LineRenderer(const LineRenderer&) = delete;
  LineRenderer& operator=(const LineRenderer&) = delete;

  // Pairs of vertices, one segment each.
  void upload(const std::vector<LineVertex>& segments);
  void draw(const ShaderProgram& lines, const PlotView& view, int w, int h) const;

 private:
  GLuint vao_ = 0, vbo_ = 0;
  GLsizei n_ = 0;
};

}  // namespace scorelab::ui
