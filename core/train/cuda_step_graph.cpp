#include "train/cuda_step_graph.h"

#include <stdexcept>

#include "methods/method.h"

#if !defined(SCORELAB_NO_CUDA_GRAPHS) && __has_include(<ATen/cuda/CUDAGraph.h>) && \
    __has_include(<cuda_runtime_api.h>)
#include <ATen/autocast_mode.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#include <torch/version.h>
#define SCORELAB_CUDA_GRAPHS 1
#else
#define SCORELAB_CUDA_GRAPHS 0
#endif

namespace scorelab {

#if SCORELAB_CUDA_GRAPHS

namespace {

// Autocast's cast cache would keep bf16 copies made during capture and free them after it;
// the graph would then write into freed memory. Off while capturing, as PyTorch's own
// torch.cuda.graph does.
class AutocastCacheOff {
 public:
  AutocastCacheOff() : was_(at::autocast::is_autocast_cache_enabled()) {
    at::autocast::set_autocast_cache_enabled(false);
  }
  ~AutocastCacheOff() { at::autocast::set_autocast_cache_enabled(was_); }

 private:
  bool was_;
};

std::vector<int64_t> update_counts(Method& method) {
  std::vector<int64_t> counts;
  for (auto* net : method.networks()) counts.push_back(net->updates());
  return counts;
}

void set_host_counts(Method& method, const std::vector<int64_t>& counts) {
  auto nets = method.networks();
  for (size_t i = 0; i < nets.size() && i < counts.size(); ++i)
    nets[i]->optimizer().set_host_steps(counts[i]);
}

}  // namespace

struct CudaStepGraph::Impl {
  std::unique_ptr<at::cuda::CUDAGraph> graph;
  std::vector<torch::Tensor> outputs;
  std::vector<int64_t> updates_per_replay;  // per network, in networks() order
};

CudaStepGraph::CudaStepGraph() : impl_(std::make_unique<Impl>()) {}
CudaStepGraph::~CudaStepGraph() = default;

bool CudaStepGraph::available() {
  return true;
}

void CudaStepGraph::capture(Method& method) {
  reset();
  const auto before = update_counts(method);
  // Capture starts from an idle device: nothing of the eager steps is still in flight.
  c10::cuda::device_synchronize();
  auto graph = std::make_unique<at::cuda::CUDAGraph>();
  auto stream = c10::cuda::getStreamFromPool(false, method.device().index());
  {
    c10::cuda::CUDAStreamGuard on_stream(stream);
    AutocastCacheOff no_cache;
    // Every replay records ‖Δθ‖ (the eager path only before a readback): the graph must hold it.
    for (auto* net : method.networks()) net->optimizer().track_next_update();
#if TORCH_VERSION_MAJOR >= 2
    // Thread-local: the probe threads may use CUDA while this thread captures.
    graph->capture_begin({0, 0}, cudaStreamCaptureModeThreadLocal);
#else
    graph->capture_begin();
#endif
    try {
      method.step(impl_->outputs);
    } catch (...) {
      try {
        graph->capture_end();
      } catch (...) {
        // the capture was invalidated; its reason is the step's exception
      }
      (void)cudaGetLastError();  // a capture error must not surface at the next kernel launch
      impl_->outputs.clear();
      set_host_counts(method, before);
      throw;
    }
    graph->capture_end();
  }
  const auto after = update_counts(method);
  impl_->updates_per_replay.clear();
  for (size_t i = 0; i < after.size(); ++i)
    impl_->updates_per_replay.push_back(after[i] - before[i]);
  set_host_counts(method, before);
  impl_->graph = std::move(graph);
}

void CudaStepGraph::replay(Method& method, std::vector<torch::Tensor>& losses) {
  if (!impl_->graph) throw std::logic_error("CudaStepGraph::replay before capture");
  impl_->graph->replay();
  auto nets = method.networks();
  for (size_t i = 0; i < nets.size() && i < impl_->updates_per_replay.size(); ++i) {
    nets[i]->optimizer().set_host_steps(nets[i]->updates() + impl_->updates_per_replay[i]);
  }
  losses = impl_->outputs;
}

bool CudaStepGraph::captured() const {
  return impl_->graph != nullptr;
}

void CudaStepGraph::reset() {
  impl_->outputs.clear();
  impl_->updates_per_replay.clear();
  impl_->graph.reset();
}

#else  // no CUDA in this libtorch

struct CudaStepGraph::Impl {};

CudaStepGraph::CudaStepGraph() : impl_(std::make_unique<Impl>()) {}
CudaStepGraph::~CudaStepGraph() = default;

bool CudaStepGraph::available() {
  return false;
}

void CudaStepGraph::capture(Method&) {
  throw std::runtime_error("this libtorch was built without CUDA: no CUDA graphs");
}

void CudaStepGraph::replay(Method&, std::vector<torch::Tensor>&) {
  throw std::logic_error("CudaStepGraph::replay without CUDA");
}

bool CudaStepGraph::captured() const {
  return false;
}

void CudaStepGraph::reset() {}

#endif

}  // namespace scorelab
