#include "render/arrow_renderer.h"

#include <cmath>
#include <cstddef>

#include "render/point_renderer.h"

namespace scorelab::ui {

void append_arrow(std::vector<LineVertex>& out, float x, float y, float dx, float dy,
                  const float c[4]) {
  const float len = std::sqrt(dx * dx + dy * dy);
  if (!(len > 0) || !std::isfinite(len)) return;
  const float ex = x + dx, ey = y + dy;
  // Head strokes at ±25° from the reversed shaft, 30% of its length.
  const float ux = -dx / len * 0.3f * len, uy = -dy / len * 0.3f * len;
  const float cs = 0.906f, sn = 0.423f;
  auto v = [&](float px, float py) { out.push_back({px, py, c[0], c[1], c[2], c[3]}); };
  v(x, y);
  v(ex, ey);
  v(ex, ey);
  v(ex + ux * cs - uy * sn, ey + ux * sn + uy * cs);
  v(ex, ey);
  v(ex + ux * cs + uy * sn, ey - ux * sn + uy * cs);
}

LineRenderer::LineRenderer() {
  glGenVertexArrays(1, &vao_);
  glGenBuffers(1, &vbo_);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ARRAY_BUFFER, vbo_);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, sizeof(LineVertex), nullptr);
  glEnableVertexAttribArray(1);
  glVertexAttribPointer(1, 4, GL_FLOAT, GL_FALSE, sizeof(LineVertex),
                        reinterpret_cast<const void*>(offsetof(LineVertex, r)));
  glBindVertexArray(0);
}

LineRenderer::~LineRenderer() {
  glDeleteBuffers(1, &vbo_);
  glDeleteVertexArrays(1, &vao_);
}

void LineRenderer::upload(const std::vector<LineVertex>& segments) {
  glBindBuffer(GL_ARRAY_BUFFER, vbo_);
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(segments.size() * sizeof(LineVertex)),
               segments.data(), GL_DYNAMIC_DRAW);
  glBindBuffer(GL_ARRAY_BUFFER, 0);
  n_ = static_cast<GLsizei>(segments.size());
}

void LineRenderer::draw(const ShaderProgram& lines, const PlotView& view, int w, int h) const {
  if (n_ == 0) return;
  lines.use();
  set_view_uniforms(lines, view, w, h);
  glBindVertexArray(vao_);
  glDrawArrays(GL_LINES, 0, n_);
  glBindVertexArray(0);
}

}  // namespace scorelab::ui
