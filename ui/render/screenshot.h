#pragma once
// PNG export of the whole window (the default framebuffer) or of one panel's canvas. Files are
// written atomically (core's writer), so a failed write keeps the old file.
#include <string>
#include <vector>

namespace scorelab::ui {

// RGBA8 pixels of the window's back buffer, top row first.
std::vector<unsigned char> read_window_rgba(int w, int h);
// The w × h rectangle at (x, y) of an RGBA8 image iw pixels wide and ih high, clamped to it.
std::vector<unsigned char> crop_rgba(const std::vector<unsigned char>& px, int iw, int ih, int x,
                                     int y, int& w, int& h);
// Throws scorelab::IoError naming the path when the file cannot be written.
void write_png_rgba(const std::string& path, const std::vector<unsigned char>& rgba, int w, int h);

}  // namespace scorelab::ui
