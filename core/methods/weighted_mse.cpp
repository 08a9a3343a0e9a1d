#include "methods/weighted_mse.h"

#include <torch/autograd.h>
#include <torch/torch.h>

namespace scorelab {

namespace {

using torch::Tensor;

bool plain_cpu_float_rows(const Tensor& t) {
  return t.is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous();
}

struct WeightedRowMse : public torch::autograd::Function<WeightedRowMse> {
  static Tensor forward(torch::autograd::AutogradContext* ctx, const Tensor& pred,
                        const Tensor& target, const Tensor& weight, double scale) {
    const int64_t rows = pred.size(0), cols = rows > 0 ? pred.numel() / rows : 0;
    const float* p = pred.data_ptr<float>();
    const float* t = target.data_ptr<float>();
    const float* w = weight.data_ptr<float>();
    double sum = 0;  // accumulated in double: the loss is a readout as well as a gradient source
    for (int64_t i = 0; i < rows; ++i) {
      double row = 0;
      for (int64_t k = 0; k < cols; ++k) {
        const double d = static_cast<double>(p[i * cols + k]) - t[i * cols + k];
        row += d * d;
      }
      sum += w[i] * row;
    }
    ctx->save_for_backward({pred, target, weight});
    ctx->saved_data["scale"] = scale;
    return torch::full({}, sum * scale / static_cast<double>(cols), pred.options());
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const Tensor &pred = saved[0], &target = saved[1], &weight = saved[2];
    const int64_t rows = pred.size(0), cols = rows > 0 ? pred.numel() / rows : 0;
    const double scale = ctx->saved_data["scale"].toDouble();
    if (torch::GradMode::is_enabled()) {
      // create_graph: the same derivative as differentiable ops.
      auto diff = (pred - target).reshape({rows, cols}) * weight.reshape({rows, 1});
      return {(grads[0] * (2 * scale / cols) * diff).reshape(pred.sizes()), Tensor(), Tensor(),
              Tensor()};
    }
    // d/dpred_ik = g · scale · w_i · 2(pred_ik − target_ik) / cols.
    const float g = grads[0].item<float>();
    const float c = static_cast<float>(2 * g * scale / cols);
    auto dpred = torch::empty_like(pred, pred.options().requires_grad(false));
    const float* p = pred.data_ptr<float>();
    const float* t = target.data_ptr<float>();
    const float* w = weight.data_ptr<float>();
    float* d = dpred.data_ptr<float>();
    for (int64_t i = 0; i < rows; ++i) {
      const float wi = c * w[i];
      for (int64_t k = 0; k < cols; ++k) d[i * cols + k] = wi * (p[i * cols + k] - t[i * cols + k]);
    }
    return {dpred, Tensor(), Tensor(), Tensor()};  // one per forward argument
  }
};

}  // namespace

Tensor weighted_row_mse(const Tensor& pred, const Tensor& target, const Tensor& weight,
                        double scale) {
  TORCH_CHECK(pred.sizes() == target.sizes(), "weighted_row_mse: pred and target differ in shape");
  TORCH_CHECK(weight.numel() == pred.size(0), "weighted_row_mse: one weight per row");
  const bool raw = plain_cpu_float_rows(pred) && plain_cpu_float_rows(target) &&
                   plain_cpu_float_rows(weight) && !target.requires_grad() &&
                   !weight.requires_grad();
  if (raw) return WeightedRowMse::apply(pred, target, weight, scale);
  const int64_t rows = pred.size(0);
  auto err = (pred - target).reshape({rows, -1}).square().mean(1);
  return (weight.reshape({rows}) * err).sum() * scale;
}

}  // namespace scorelab
