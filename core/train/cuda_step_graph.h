#pragma once
// One training step captured as a CUDA graph and replayed (CUDA builds of libtorch only; on
// others available() is false and nothing here is called). The step must keep every tensor it
// reads or writes between steps at a fixed address (flat parameters, optimizer moments, device
// hyperparameters) and make no host readback; random draws come from the device's default
// generator, which the capture registers so every replay draws fresh numbers.
#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

namespace scorelab {

class Method;

class CudaStepGraph {
 public:
  CudaStepGraph();
  ~CudaStepGraph();
  CudaStepGraph(const CudaStepGraph&) = delete;
  CudaStepGraph& operator=(const CudaStepGraph&) = delete;

  // Whether this libtorch can capture CUDA graphs.
  static bool available();

  // Captures one step of `method` (which is not run: host counters are put back) and keeps its
  // outputs; throws with CUDA's reason when the step cannot be captured.
  void capture(Method& method);
  // Runs the captured step once; `losses` gets its outputs (overwritten by the next replay).
  void replay(Method& method, std::vector<torch::Tensor>& losses);
  bool captured() const;
  // Frees the graph and its memory pool.
  void reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace scorelab
