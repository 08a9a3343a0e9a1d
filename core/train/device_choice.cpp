#include "train/device_choice.h"

#include <torch/cuda.h>

#include "common/device.h"
#include "data/data_sources.h"
#include "train/step_runner.h"

namespace scorelab {

DeviceChoice auto_device_rule(const AutoDeviceInputs& in) {
  if (!in.cuda_present) return {torch::kCPU, "auto: no CUDA device"};
  const torch::Device gpu("cuda:0");
  if (in.bf16) return {gpu, "auto: bf16 needs the GPU"};
  if (in.image_data) return {gpu, "auto: image networks train faster on the GPU"};
  if (in.cuda_graphs) return {gpu, "auto: 2-D steps as CUDA graphs train faster on the GPU"};
  return {torch::kCPU, "auto: 2-D steps without CUDA graphs train faster on the CPU"};
}

DeviceChoice choose_device(const Config& config) {
  if (config.run.device != "auto") return {resolve_device(config.run.device), ""};
  AutoDeviceInputs in;
  in.cuda_present = torch::cuda::is_available();
  in.image_data = is_image_data(config.data.name);
  in.cuda_graphs = cuda_graphs_available() && config.run.cuda_graph != "off";
  in.bf16 = config.run.precision == "bf16";
  return auto_device_rule(in);
}

}  // namespace scorelab
