#pragma once
// PNG line charts of curves (a metric against step or time, one line per run), for
// `scorelab-cli compare`: axes with round ticks, a legend, linear or log y.
#include <array>
#include <string>
#include <utility>
#include <vector>

namespace scorelab {

struct ChartLine {
  std::string label;
  std::vector<std::pair<double, double>> points;  // (x, y), x increasing
};

struct ChartText {
  std::string title, x_label, y_label;
};

// RGB pixels, rows top to bottom. Lines in the order given take the colours of the app's
// curves; log_y draws log10(y) (non-positive values are left out).
std::vector<unsigned char> render_line_chart(const std::vector<ChartLine>& lines,
                                             const ChartText& text, bool log_y, int width,
                                             int height);

// Written atomically; IoError names the path.
void write_line_chart_png(const std::string& path, const std::vector<ChartLine>& lines,
                          const ChartText& text, bool log_y, int width = 960, int height = 540);

// The line colours, in order (RGB).
const std::vector<std::array<unsigned char, 3>>& chart_colors();

}  // namespace scorelab
