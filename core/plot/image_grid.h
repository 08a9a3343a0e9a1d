#pragma once
// Sample grids: images [N, C, H, W] in [-1, 1] tiled into one RGB picture, for the app's image
// panel, run folders and the CLI.
#include <torch/types.h>

#include <string>

namespace scorelab {

// uint8 [rows·(H + gap) − gap, cols·(W + gap) − gap, 3], images row by row, grey channels
// repeated; values outside [-1, 1] are clipped. cols = 0 picks a near-square grid.
torch::Tensor tile_images(const torch::Tensor& images, int64_t cols = 0, int64_t gap = 1);

// Writes tile_images(...) as PNG (atomically; IoError names the path on failure).
void write_image_grid_png(const std::string& path, const torch::Tensor& images, int64_t cols = 0);

}  // namespace scorelab
