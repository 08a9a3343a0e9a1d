#pragma once
// One RGB texture uploaded from host pixels (the image grid), nearest-filtered so small images
// stay crisp when scaled up; owns its GL object.
#include <glad/gl.h>

#include <cstdint>

namespace scorelab::ui {

class GlTexture {
 public:
  GlTexture() = default;
  ~GlTexture();
  GlTexture(const GlTexture&) = delete;
  GlTexture& operator=(const GlTexture&) = delete;

  // Uploads w × h RGB8 pixels, rows top first (re-allocating when the size changes).
  void upload_rgb(const uint8_t* pixels, int w, int h);

  GLuint id() const { return tex_; }
  int width() const { return w_; }
  int height() const { return h_; }
  bool empty() const { return tex_ == 0; }

 private:
  GLuint tex_ = 0;
  int w_ = 0, h_ = 0;
};

}  // namespace scorelab::ui
