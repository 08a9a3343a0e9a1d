#include "methods/bf16_method.h"

#include "common/autocast_scope.h"

namespace scorelab {

void Bf16Method::step(std::vector<torch::Tensor>& losses) {
  CudaBf16Autocast autocast(true);
  inner_->step(losses);
  // Losses leave as float32 whatever autocast chose, so readbacks and the CSV never see bf16.
  for (auto& l : losses) l = l.to(torch::kFloat);
}

}  // namespace scorelab
