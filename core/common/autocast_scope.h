#pragma once
// bf16 autocast for CUDA ops over one scope (a training step): matmuls and convolutions run in
// bfloat16, norms, softmax and losses stay float32 by autocast's own op lists, parameters and
// gradients stay float32. Nests; the cast cache is cleared when the outermost scope ends, as
// Python's torch.autocast does.
#include <c10/core/ScalarType.h>

namespace scorelab {

// Whether autocast (CUDA or CPU) is on in this thread: hand-written network paths step aside.
bool autocast_active();

class CudaBf16Autocast {
 public:
  explicit CudaBf16Autocast(bool enabled);
  ~CudaBf16Autocast();
  CudaBf16Autocast(const CudaBf16Autocast&) = delete;
  CudaBf16Autocast& operator=(const CudaBf16Autocast&) = delete;

 private:
  bool enabled_;
  bool previous_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::Float;
};

}  // namespace scorelab
