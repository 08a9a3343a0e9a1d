#pragma once
// Turns a FieldResult into GPU layers: arrows of the learned (and exact) score, the exact log
// density and the error |learned − exact| as heat maps; and looks up the node under the cursor.
#include <torch/types.h>

#include "render/arrow_renderer.h"
#include "render/heatmap_renderer.h"
#include "sample/requests.h"

namespace scorelab::ui {

struct FieldLayers {
  LineRenderer learned_arrows, exact_arrows;
  HeatmapRenderer density, error;
  float density_lo = 0, density_hi = 1, error_hi = 1;
  FieldResult result;  // the one uploaded
  bool has_exact = false;

  // Arrow lengths: the 95th-percentile norm of the learned field spans `cell_fraction` of a cell.
  void upload(FieldResult r, float cell_fraction = 0.9f);
  // The learned field minus another (e.g. s_α − s_0, the generator's update direction).
  void upload_difference(const FieldResult& a, const FieldResult& b, float cell_fraction = 0.9f);
  // Index of the grid node nearest to world (x, y), or −1 without a result.
  int64_t nearest_node(double x, double y) const;
};

}  // namespace scorelab::ui
