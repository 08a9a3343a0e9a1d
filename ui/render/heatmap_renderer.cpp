#include "render/heatmap_renderer.h"

#include "render/point_renderer.h"

namespace scorelab::ui {

HeatmapRenderer::HeatmapRenderer() {
  const float corners[] = {0, 0, 1, 0, 0, 1, 1, 1};
  glGenVertexArrays(1, &vao_);
  glGenBuffers(1, &vbo_);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, vbo_);
  glBufferData(GL_ARRAY_BUFFER, sizeof corners, corners, GL_STATIC_DRAW);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 2 * sizeof(float), nullptr);
  glBindVertexArray(0);
  glGenTextures(1, &tex_);
  glBindTexture(GL_TEXTURE_2D, tex_);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

HeatmapRenderer::~HeatmapRenderer() {
  glDeleteTextures(1, &tex_);
  glDeleteBuffers(1, &vbo_);
  glDeleteVertexArrays(1, &vao_);
}

void HeatmapRenderer::upload(const float* values, int64_t nx, int64_t ny, double x0, double x1,
                             double y0, double y1) {
  glBindTexture(GL_TEXTURE_2D, tex_);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, static_cast<GLsizei>(nx), static_cast<GLsizei>(ny), 0,
               GL_RED, GL_FLOAT, values);
  nx_ = nx;
  ny_ = ny;
  // Texel centres sit on the grid nodes: stretch the quad by half a cell on every side.
  const double hx = (x1 - x0) / (2.0 * (nx - 1)), hy = (y1 - y0) / (2.0 * (ny - 1));
  lo_[0] = static_cast<float>(x0 - hx);
  lo_[1] = static_cast<float>(y0 - hy);
  hi_[0] = static_cast<float>(x1 + hx);
  hi_[1] = static_cast<float>(y1 + hy);
}

void HeatmapRenderer::draw(const ShaderProgram& heatmap, const PlotView& view, int w, int h,
                           const HeatmapStyle& s) const {
  if (nx_ == 0) return;
  heatmap.use();
  set_view_uniforms(heatmap, view, w, h);
  heatmap.set("lo", lo_[0], lo_[1]);
  heatmap.set("hi", hi_[0], hi_[1]);
  heatmap.set("vmin", s.vmin);
  heatmap.set("vmax", s.vmax);
  heatmap.set_int("palette", s.palette);
  heatmap.set("opacity", s.opacity);
  heatmap.set("levels", s.levels);
  heatmap.set("line_color", s.line_rgba);
  heatmap.set_int("values", 0);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, tex_);
  glBindVertexArray(vao_);
  glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
  glBindVertexArray(0);
}

}  // namespace scorelab::ui
