#pragma once
// Panel 7, the image grid: for image runs, the generator's samples from a fixed batch of z (the
// same z every refresh, so the grid shows the model changing, not the noise), or the latest
// evaluation's samples for methods without a generator; the real images beside on request.
// Right click: save the grid as PNG at its pixel size.
#include <cstdint>

#include "app_context.h"
#include "panels/panel.h"
#include "render/gl_texture.h"

namespace scorelab::ui {

class ImageGridPanel final : public Panel {
 public:
  void draw(AppContext& ctx) override;

 private:
  GlTexture texture_;
  torch::Tensor shown_;  // the images in the texture, [n, C, H, W]
  const void* shown_data_ = nullptr;
  bool show_real_ = false;
  int columns_ = 8, last_columns_ = 0;
};

}  // namespace scorelab::ui
