#pragma once
// Points in world space on the GPU: uploaded once per new data, drawn every frame.
#include <glad/gl.h>

#include <cstdint>

#include "render/plot_view.h"
#include "render/shader_program.h"

namespace scorelab::ui {

class PointRenderer {
 public:
  PointRenderer();
  ~PointRenderer();
  PointRenderer(const PointRenderer&) = delete;
  PointRenderer& operator=(const PointRenderer&) = delete;

  // xy: n interleaved (x, y) pairs.
  void upload(const float* xy, int64_t n);
  int64_t size() const { return n_; }
  void draw(const ShaderProgram& points, const PlotView& view, int w, int h, const float rgba[4],
            float point_size) const;

 private:
  GLuint vao_ = 0, vbo_ = 0;
  int64_t n_ = 0;
};

// Sets the `center` and `half_size` uniforms shared by all three programs.
void set_view_uniforms(const ShaderProgram& program, const PlotView& view, int w, int h);

}  // namespace scorelab::ui
