#pragma once
// A small line chart drawn with ImGui's draw list: several series over training steps (or wall
// seconds), optional log y axis, a legend that wraps, and a hover readout of every series at
// the x under the cursor.
#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

namespace scorelab::ui {

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;  // x increasing
  ImU32 color = IM_COL32(255, 255, 255, 255);
};

// A series over steps.
PlotSeries step_series(std::string label, const std::vector<int64_t>& steps,
                       const std::vector<double>& values, ImU32 color);
// A series of (x, y) points.
PlotSeries point_series(std::string label, const std::vector<std::pair<double, double>>& points,
                        ImU32 color);

// Log y applies only when every value is positive; otherwise the axis stays linear. x_unit
// names the x axis: "step" or "s".
void line_plot(const char* title, const std::vector<PlotSeries>& series, ImVec2 size, bool log_y,
               const char* x_unit = "step");

// A distinct colour for the i-th series.
ImU32 series_color(int i);

}  // namespace scorelab::ui
