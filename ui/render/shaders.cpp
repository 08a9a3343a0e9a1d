#include "render/shaders.h"

#include "embedded_shaders.h"

namespace scorelab::ui {

Shaders Shaders::build() {
  using namespace shader_src;
  return Shaders{ShaderProgram("points", k_points_vert, k_points_frag),
                 ShaderProgram("lines", k_lines_vert, k_lines_frag),
                 ShaderProgram("heatmap", k_heatmap_vert, k_heatmap_frag)};
}

}  // namespace scorelab::ui
