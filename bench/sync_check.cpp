#include "sync_check.h"

#include <torch/torch.h>

#include <cstdio>

#include "common/error.h"
#include "settings/presets.h"
#include "train/run_parts.h"

// The sync debug switch lives in c10's CUDA headers, present only in CUDA builds of libtorch.
#if __has_include(<c10/cuda/CUDAFunctions.h>) && __has_include(<cuda_runtime_api.h>)
#include <c10/cuda/CUDAFunctions.h>
#define SCORELAB_SYNC_DEBUG 1
#else
#define SCORELAB_SYNC_DEBUG 0
#endif

namespace scorelab::bench {

#if SCORELAB_SYNC_DEBUG
namespace {

class SyncsAreErrors {
 public:
  SyncsAreErrors() {
    c10::cuda::warning_state().set_sync_debug_mode(c10::cuda::SyncDebugMode::L_ERROR);
  }
  ~SyncsAreErrors() {
    c10::cuda::warning_state().set_sync_debug_mode(c10::cuda::SyncDebugMode::L_DISABLED);
  }
};

}  // namespace
#endif

int print_sync_check(const std::vector<std::string>& presets, const std::string& device,
                     const std::string& precision, int steps) {
#if !SCORELAB_SYNC_DEBUG
  (void)presets, (void)device, (void)precision, (void)steps;
  std::fprintf(stderr, "scorelab-bench: sync-check needs a CUDA build of libtorch\n");
  return 2;
#else
  int failures = 0;
  {
    // The check itself must be able to fail: a readback under the switch throws.
    const torch::Tensor t = torch::ones({1}, torch::TensorOptions().device(device));
    bool caught = false;
    try {
      SyncsAreErrors on;
      t.item<float>();
    } catch (const c10::Error&) {
      caught = true;
    }
    std::printf("control: an .item() under the switch %s\n",
                caught ? "is caught" : "is NOT caught (the check is void)");
    if (!caught) return 1;
  }
  for (const auto& name : presets) {
    Config c = load_preset(name);
    c.run.device = device;
    c.run.precision = precision;
    RunParts run = build_run(c);
    std::vector<torch::Tensor> losses;
    for (int i = 0; i < 3; ++i) run.method->step(losses);  // warm-up: lazy allocations
    torch::cuda::synchronize();
    try {
      SyncsAreErrors on;
      for (int i = 0; i < steps; ++i) run.method->step(losses);
    } catch (const std::exception& e) {
      ++failures;
      std::printf("%s (%s): a training step synchronizes with the host: %s\n", name.c_str(),
                  precision.c_str(), error_message(e).c_str());
      continue;
    }
    torch::cuda::synchronize();
    std::printf("%s (%s): %d training steps, no synchronizing CUDA operation; loss %s = %.4f\n",
                name.c_str(), precision.c_str(), steps, run.method->loss_names().front().c_str(),
                losses.front().item<double>());
    std::fflush(stdout);
  }
  return failures == 0 ? 0 : 1;
#endif
}

}  // namespace scorelab::bench
