#include "render/point_renderer.h"

namespace scorelab::ui {

void set_view_uniforms(const ShaderProgram& program, const PlotView& view, int w, int h) {
  float hx, hy;
  view.half_extents(w, h, hx, hy);
  program.set("center", static_cast<float>(view.cx), static_cast<float>(view.cy));
  program.set("half_size", hx, hy);
}

PointRenderer::PointRenderer() {
  glGenVertexArrays(1, &vao_);
  glGenBuffers(1, &vbo_);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, vbo_);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 2 * sizeof(float), nullptr);
  glBindVertexArray(0);
}

PointRenderer::~PointRenderer() {
  glDeleteBuffers(1, &vbo_);
  glDeleteVertexArrays(1, &vao_);
}

void PointRenderer::upload(const float* xy, int64_t n) {
  glBindBuffer(GL_ARRAY_BUFFER, vbo_);
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(n * 2 * sizeof(float)), xy,
               GL_DYNAMIC_DRAW);
  glBindBuffer(GL_ARRAY_BUFFER, 0);
  n_ = n;
}

void PointRenderer::draw(const ShaderProgram& points, const PlotView& view, int w, int h,
                         const float rgba[4], float point_size) const {
  if (n_ == 0) return;
  points.use();
  set_view_uniforms(points, view, w, h);
  points.set("color", rgba);
  points.set("point_size", point_size);
  glEnable(GL_PROGRAM_POINT_SIZE);
  glBindVertexArray(vao_);
  glDrawArrays(GL_POINTS, 0, static_cast<GLsizei>(n_));
  glBindVertexArray(0);
}

}  // namespace scorelab::ui
