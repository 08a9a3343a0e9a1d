#include "render/screenshot.h"

#include <glad/gl.h>

#include <algorithm>

#include "common/atomic_file.h"
#include "common/error.h"
#include "plot/png_writer.h"

namespace scorelab::ui {

std::vector<unsigned char> read_window_rgba(int w, int h) {
  std::vector<unsigned char> px(static_cast<size_t>(w) * h * 4);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  glReadBuffer(GL_BACK);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  const size_t row = static_cast<size_t>(w) * 4;
  for (int y = 0; y < h / 2; ++y) {
    std::swap_ranges(px.begin() + y * row, px.begin() + (y + 1) * row,
                     px.begin() + (h - 1 - y) * row);
  }
  return px;
}

std::vector<unsigned char> crop_rgba(const std::vector<unsigned char>& px, int iw, int ih, int x,
                                     int y, int& w, int& h) {
  const int x0 = std::clamp(x, 0, iw), y0 = std::clamp(y, 0, ih);
  w = std::clamp(x + w, 0, iw) - x0;
  h = std::clamp(y + h, 0, ih) - y0;
  std::vector<unsigned char> out(static_cast<size_t>(std::max(w, 0)) * std::max(h, 0) * 4);
  for (int r = 0; r < h; ++r) {
    const auto from = px.begin() + (static_cast<size_t>(y0 + r) * iw + x0) * 4;
    std::copy(from, from + static_cast<size_t>(w) * 4,
              out.begin() + static_cast<size_t>(r) * w * 4);
  }
  return out;
}

void write_png_rgba(const std::string& path, const std::vector<unsigned char>& rgba, int w, int h) {
  if (w <= 0 || h <= 0 || rgba.size() < static_cast<size_t>(w) * h * 4) {
    throw IoError("cannot write " + path + ": empty image");
  }
  std::vector<unsigned char> rgb(static_cast<size_t>(w) * h * 3);
  for (size_t i = 0, j = 0; j < rgb.size(); i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  write_file_atomically(path, encode_png(rgb.data(), w, h));
}

}  // namespace scorelab::ui
