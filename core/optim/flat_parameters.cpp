#include "optim/flat_parameters.h"

#include <torch/torch.h>

namespace scorelab {

FlatParameters::FlatParameters(torch::nn::Module& module) {
  auto params = module.named_parameters(/*recurse=*/true);
  int64_t total = 0;
  torch::TensorOptions opts = torch::TensorOptions().dtype(torch::kFloat);
  for (const auto& p : params) {
    entries_.push_back({p.key(), p.value().sizes().vec(), total, p.value().numel()});
    total += p.value().numel();
    opts = p.value().options();
  }
  data_ = torch::zeros({total}, opts.requires_grad(false));
  grad_ = torch::zeros({total}, opts.requires_grad(false));
  torch::NoGradGuard no_grad;
  size_t i = 0;
  for (auto& p : params) {
    const auto& e = entries_[i++];
    auto view = data_.narrow(0, e.offset, e.numel).view(e.shape);
    view.copy_(p.value());
    p.value().set_data(view);
    // Autograd accumulates into an existing .grad in place, so gradients land in grad_.
    p.value().mutable_grad() = grad_.narrow(0, e.offset, e.numel).view(e.shape);
  }
}

}  // namespace scorelab
