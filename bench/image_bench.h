#pragma once
// Image figures: training throughput of the image presets (generator and score steps/s,
// images/s), the one-step generator's sampling rate against annealed Langevin for the same
// number of images, and the quality table (FID at the start and end of a fixed training time,
// beside the real-vs-real floor, with a sample grid per preset).
#include <string>
#include <vector>

namespace scorelab::bench {

struct ImageBenchOptions {
  std::vector<std::string> presets;  // default: fmnist-smt-cpu, fmnist-dsm-cpu (throughput)
  std::string device = "cpu";
  std::string precision = "fp32";   // bf16: training steps under CUDA bf16 autocast
  bool start_fid = true;            // quality: also the untrained model's FID (costs a sampling)
  double seconds = 20;              // throughput: training time per preset; quality: the budget
  int64_t samples = 10000;          // quality: images per FID figure
  int64_t sample_n = 1000;          // throughput: images per sampling figure
  std::string grid_dir = ".";       // quality: where PRESET-grid.png goes
  std::string cuda_graph = "auto";  // run.cuda_graph for the training steps
  bool phases = false;              // throughput: also the time of each section of a step
  std::string only_phase;           // throughput: measure this phase alone ("" = every phase)
};

void print_image_throughput(const ImageBenchOptions& options);
void print_image_quality(const ImageBenchOptions& options);

}  // namespace scorelab::bench
