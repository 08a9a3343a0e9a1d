#include "plot/image_grid.h"

#include <torch/torch.h>

#include <cmath>

#include "common/atomic_file.h"
#include "common/error.h"
#include "plot/png_writer.h"

namespace scorelab {

torch::Tensor tile_images(const torch::Tensor& images, int64_t cols, int64_t gap) {
  if (images.dim() != 4 || images.size(0) == 0 || (images.size(1) != 1 && images.size(1) != 3)) {
    throw ConfigError("an image grid needs images [N, 1 or 3, H, W]");
  }
  const int64_t n = images.size(0), h = images.size(2), w = images.size(3);
  if (cols <= 0) cols = static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(n))));
  const int64_t rows = (n + cols - 1) / cols;
  auto px = ((images.detach().to(torch::kCPU, torch::kFloat).clamp(-1, 1) + 1) * 127.5)
                .round()
                .to(torch::kUInt8);
  if (px.size(1) == 1) px = px.expand({n, 3, h, w});
  px = px.permute({0, 2, 3, 1});  // [N, H, W, 3]
  auto out = torch::zeros({rows * (h + gap) - gap, cols * (w + gap) - gap, 3}, torch::kUInt8);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t r = i / cols, c = i % cols;
    out.narrow(0, r * (h + gap), h).narrow(1, c * (w + gap), w).copy_(px[i]);
  }
  return out;
}

void write_image_grid_png(const std::string& path, const torch::Tensor& images, int64_t cols) {
  auto grid = tile_images(images, cols).contiguous();
  write_file_atomically(path, encode_png(grid.data_ptr<uint8_t>(), static_cast<int>(grid.size(1)),
                                         static_cast<int>(grid.size(0))));
}

}  // namespace scorelab
