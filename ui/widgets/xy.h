#pragma once
// What the 2-D panels show of points [n, D]: their first two coordinates, as contiguous float32
// on the CPU (data with D > 2 is shown projected on the first two axes).
#include <torch/torch.h>

namespace scorelab::ui {

inline torch::Tensor xy_of(const torch::Tensor& points) {
  auto p = points.dim() == 2 && points.size(1) > 2 ? points.narrow(1, 0, 2) : points;
  return p.to(torch::kCPU, torch::kFloat).contiguous();
}

}  // namespace scorelab::ui
