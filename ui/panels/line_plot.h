#pragma once
// A small line chart drawn with ImGui's draw list: several series over training steps, optional
// log y axis, and a hover readout of every series at the step under the cursor.
#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

namespace scorelab::ui {

struct PlotSeries {
  std::string label;
  const std::vector<int64_t>* steps = nullptr;
  const std::vector<double>* values = nullptr;
  ImU32 color = IM_COL32(255, 255, 255, 255);
};

// Log y applies only when every value is positive; otherwise the axis stays linear.
void line_plot(const char* title, const std::vector<PlotSeries>& series, ImVec2 size, bool log_y);

// A distinct colour for the i-th series.
ImU32 series_color(int i);

}  // namespace scorelab::ui
