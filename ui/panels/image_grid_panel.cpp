#include "panels/image_grid_panel.h"

#include <imgui.h>

namespace scorelab::ui {

void draw_image_grid_panel(AppContext& ctx) {
  ImGui::TextWrapped(
      "Data set \"%s\" is 2D: its samples are in the Samples panel. This panel shows a grid of "
      "one-step samples from a fixed batch of z when the run trains on images.",
      ctx.snap->config.data.name.c_str());
}

}  // namespace scorelab::ui
