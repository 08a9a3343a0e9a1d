#pragma once
// An offscreen framebuffer with one RGBA texture, drawn into by the renderers and shown by ImGui
// with ImGui::Image. Recreated when its size changes; owns its GL objects.
#include <glad/gl.h>

#include <vector>

namespace scorelab::ui {

class GlCanvas {
 public:
  GlCanvas() = default;
  ~GlCanvas();
  GlCanvas(const GlCanvas&) = delete;
  GlCanvas& operator=(const GlCanvas&) = delete;
  GlCanvas(GlCanvas&& other) noexcept;
  GlCanvas& operator=(GlCanvas&& other) noexcept;

  // Binds the framebuffer at w × h pixels, sets the viewport and clears to rgba.
  void begin(int w, int h, const float rgba[4]);
  // Restores the framebuffer and viewport that were bound before begin().
  void end();

  GLuint texture() const { return tex_; }
  int width() const { return w_; }
  int height() const { return h_; }
  // The image as RGBA8 rows, top row first (for PNG export).
  std::vector<unsigned char> read_rgba() const;

 private:
  void release();

  GLuint fbo_ = 0, tex_ = 0;
  int w_ = 0, h_ = 0;
  GLint prev_fbo_ = 0;
  GLint prev_viewport_[4] = {0, 0, 0, 0};
};

}  // namespace scorelab::ui
