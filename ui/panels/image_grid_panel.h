#pragma once
// Panel 7, the image grid: one-step samples from a fixed batch of z for image data sets. Every
// data set so far is 2D, so it says which presets will fill it; the images issue draws the grid.
#include "app_context.h"

namespace scorelab::ui {

void draw_image_grid_panel(AppContext& ctx);

}  // namespace scorelab::ui
