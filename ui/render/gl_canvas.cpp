#include "render/gl_canvas.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace scorelab::ui {

GlCanvas::~GlCanvas() {
  release();
}

GlCanvas::GlCanvas(GlCanvas&& other) noexcept {
  *this = std::move(other);
}

GlCanvas& GlCanvas::operator=(GlCanvas&& other) noexcept {
  if (this != &other) {
    release();
    fbo_ = std::exchange(other.fbo_, 0);
    tex_ = std::exchange(other.tex_, 0);
    w_ = std::exchange(other.w_, 0);
    h_ = std::exchange(other.h_, 0);
  }
  return *this;
}

void GlCanvas::release() {
  if (tex_) glDeleteTextures(1, &tex_);
  if (fbo_) glDeleteFramebuffers(1, &fbo_);
  tex_ = fbo_ = 0;
  w_ = h_ = 0;
}

void GlCanvas::begin(int w, int h, const float rgba[4]) {
  w = w < 1 ? 1 : w;
  h = h < 1 ? 1 : h;
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &prev_fbo_);
  glGetIntegerv(GL_VIEWPORT, prev_viewport_);
  if (w != w_ || h != h_ || !fbo_) {
    release();
    glGenTextures(1, &tex_);
    glBindTexture(GL_TEXTURE_2D, tex_);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    // Shown 1:1, so nearest sampling loses nothing and costs less in software GL.
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glGenFramebuffers(1, &fbo_);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, tex_, 0);
    const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
    if (status != GL_FRAMEBUFFER_COMPLETE) {
      glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(prev_fbo_));
      release();
      throw std::runtime_error("OpenGL framebuffer incomplete (status " + std::to_string(status) +
                               ")");
    }
    w_ = w;
    h_ = h;
  }
  glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
  glViewport(0, 0, w_, h_);
  glClearColor(rgba[0], rgba[1], rgba[2], rgba[3]);
  glClear(GL_COLOR_BUFFER_BIT);
  glEnable(GL_BLEND);
  glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
}

void GlCanvas::end() {
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(prev_fbo_));
  glViewport(prev_viewport_[0], prev_viewport_[1], prev_viewport_[2], prev_viewport_[3]);
}

std::vector<unsigned char> GlCanvas::read_rgba() const {
  std::vector<unsigned char> px(static_cast<size_t>(w_) * h_ * 4);
  if (!fbo_) return px;
  GLint prev = 0;
  glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &prev);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo_);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w_, h_, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(prev));
  // GL rows run bottom-up; images top-down.
  const size_t row = static_cast<size_t>(w_) * 4;
  for (int y = 0; y < h_ / 2; ++y) {
    std::swap_ranges(px.begin() + y * row, px.begin() + (y + 1) * row,
                     px.begin() + (h_ - 1 - y) * row);
  }
  return px;
}

}  // namespace scorelab::ui
