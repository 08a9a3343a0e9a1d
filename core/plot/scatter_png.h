#pragma once
// PNG scatter plots of 2D samples (stb_image_write), for run directories and the CLI.
#include <torch/types.h>

#include <string>

namespace scorelab {

// Two panels side by side, on the same axes: real samples (blue) and generated samples (orange
// over the real ones in grey). The view is fitted to the real samples' 0.5–99.5% range plus a
// margin. Written atomically; IoError names the path on failure.
void write_scatter_png(const std::string& path, const torch::Tensor& real,
                       const torch::Tensor& generated, int panel_size = 512);

}  // namespace scorelab
