#include "train/nan_guard.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>

#include "common/rng.h"
#include "optim/trainable_network.h"

namespace scorelab {

void NanGuard::record(const std::vector<torch::Tensor>& step_losses) {
  rows_.push_back(torch::stack(step_losses));
}

std::optional<torch::Tensor> NanGuard::read(const std::vector<TrainableNetwork*>& nets,
                                            const std::vector<std::string>& loss_names,
                                            int64_t last_step, std::string& problem) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> weight_ok;
  for (auto* net : nets) weight_ok.push_back(torch::isfinite(net->params().data()).all());
  auto rows = torch::stack(rows_).to(torch::kCPU, torch::kDouble);
  auto wok =
      weight_ok.empty() ? torch::ones({0}, torch::kBool) : torch::stack(weight_ok).to(torch::kCPU);
  rows_.clear();
  auto finite = torch::isfinite(rows);
  if (finite.all().item<bool>() && wok.all().item<bool>()) {
    if (diverged(rows, loss_names, last_step, problem)) return std::nullopt;
    return rows;
  }
  if (!finite.all().item<bool>()) {
    auto bad = torch::nonzero(finite.logical_not())[0];
    const int64_t r = bad[0].item<int64_t>(), c = bad[1].item<int64_t>();
    const double v = rows[r][c].item<double>();
    problem = "loss '" + loss_names[c] + "' is " + (std::isnan(v) ? "nan" : "inf") + " at step " +
              std::to_string(last_step - rows.size(0) + 1 + r);
    return std::nullopt;
  }
  for (size_t i = 0; i < nets.size(); ++i) {
    if (!wok[i].item<bool>()) {
      problem = "network '" + nets[i]->name() + "' has a nan/inf weight after step " +
                std::to_string(last_step);
      break;
    }
  }
  return std::nullopt;
}

bool NanGuard::diverged(const torch::Tensor& rows, const std::vector<std::string>& loss_names,
                        int64_t last_step, std::string& problem) {
  auto magnitude = rows.abs();
  if (!reference_.defined()) {
    // Each loss's typical size at the start: the median of the first readback's rows.
    reference_ = std::get<0>(magnitude.median(0)).clamp_min(kDivergenceFloor);
  }
  const auto limit = (reference_ * kDivergenceGrowth).clamp_max(kDivergenceCeiling);
  auto over = magnitude > limit.unsqueeze(0);
  if (!over.any().item<bool>()) return false;
  auto bad = torch::nonzero(over)[0];
  const int64_t r = bad[0].item<int64_t>(), c = bad[1].item<int64_t>();
  char text[160];
  std::snprintf(text, sizeof text,
                "%.3g at step %lld, beyond %.3g (10^6 times its %.3g at the start)",
                rows[r][c].item<double>(), static_cast<long long>(last_step - rows.size(0) + 1 + r),
                limit[c].item<double>(), reference_[c].item<double>());
  problem = "loss '" + loss_names[c] + "' diverged: " + text;
  return true;
}

void NanGuard::save(const std::vector<TrainableNetwork*>& nets, int64_t step, double train_seconds,
                    const Rng& rng) {
  if (states_.size() != nets.size()) states_.assign(nets.size(), NetworkState{});
  for (size_t i = 0; i < nets.size(); ++i) {
    capture_network(*nets[i], states_[i], nets[i]->params().data().device());
  }
  step_ = step;
  train_seconds_ = train_seconds;
  rng_state_ = rng.device().is_cpu() ? rng.state() : torch::Tensor();
}

int64_t NanGuard::restore(const std::vector<TrainableNetwork*>& nets, Rng& rng) {
  for (size_t i = 0; i < nets.size(); ++i) copy_network_state(states_[i], *nets[i]);
  if (rng_state_.defined()) rng.set_state(rng_state_);
  rows_.clear();
  return step_;
}

}  // namespace scorelab
