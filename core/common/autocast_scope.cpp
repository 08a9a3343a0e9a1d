#include "common/autocast_scope.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

// libtorch 2.4 made autocast state per device type; 1.13 has one global CUDA switch.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define SCORELAB_AUTOCAST_PER_DEVICE 1
#else
#define SCORELAB_AUTOCAST_PER_DEVICE 0
#endif

namespace scorelab {

namespace {

bool cuda_enabled() {
#if SCORELAB_AUTOCAST_PER_DEVICE
  return at::autocast::is_autocast_enabled(at::kCUDA);
#else
  return at::autocast::is_enabled();
#endif
}

void set_cuda_enabled(bool on) {
#if SCORELAB_AUTOCAST_PER_DEVICE
  at::autocast::set_autocast_enabled(at::kCUDA, on);
#else
  at::autocast::set_enabled(on);
#endif
}

c10::ScalarType cuda_dtype() {
#if SCORELAB_AUTOCAST_PER_DEVICE
  return at::autocast::get_autocast_dtype(at::kCUDA);
#else
  return at::autocast::get_autocast_gpu_dtype();
#endif
}

void set_cuda_dtype(c10::ScalarType t) {
#if SCORELAB_AUTOCAST_PER_DEVICE
  at::autocast::set_autocast_dtype(at::kCUDA, t);
#else
  at::autocast::set_autocast_gpu_dtype(t);
#endif
}

}  // namespace

bool autocast_active() {
#if SCORELAB_AUTOCAST_PER_DEVICE
  return cuda_enabled() || at::autocast::is_autocast_enabled(at::kCPU);
#else
  return cuda_enabled() || at::autocast::is_cpu_enabled();
#endif
}

CudaBf16Autocast::CudaBf16Autocast(bool enabled) : enabled_(enabled) {
  if (!enabled_) return;
  previous_enabled_ = cuda_enabled();
  previous_dtype_ = cuda_dtype();
  set_cuda_dtype(c10::ScalarType::BFloat16);
  set_cuda_enabled(true);
  at::autocast::increment_nesting();
}

CudaBf16Autocast::~CudaBf16Autocast() {
  if (!enabled_) return;
  // The cache holds bf16 copies of the weights; they go stale after the optimizer step.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_cuda_enabled(previous_enabled_);
  set_cuda_dtype(previous_dtype_);
}

}  // namespace scorelab
