#include "optim/network_state.h"

#include <torch/torch.h>

#include <sstream>

#include "common/error.h"
#include "optim/trainable_network.h"

namespace scorelab {

namespace {

std::string shape_str(const std::vector<int64_t>& s) {
  std::ostringstream ss;
  ss << "[";
  for (size_t i = 0; i < s.size(); ++i) ss << (i ? ", " : "") << s[i];
  ss << "]";
  return ss.str();
}

// into ← from on `device`, in place when the sizes fit.
void copy_or_clone(torch::Tensor& into, const torch::Tensor& from, torch::Device device) {
  if (into.defined() && into.device() == device && into.sizes() == from.sizes()) {
    into.copy_(from);
  } else {
    into = from.detach().to(device, /*non_blocking=*/false, /*copy=*/true);
  }
}

}  // namespace

void capture_network(TrainableNetwork& net, NetworkState& into, torch::Device device,
                     bool with_optimizer) {
  torch::NoGradGuard no_grad;
  into.name = net.name();
  into.updates = net.updates();
  if (into.params.empty()) {
    for (const auto& e : net.params().entries()) into.params.emplace_back(e.name, e.shape);
  }
  copy_or_clone(into.flat, net.params().data(), device);
  if (with_optimizer) {
    copy_or_clone(into.exp_avg, net.optimizer().exp_avg(), device);
    copy_or_clone(into.exp_avg_sq, net.optimizer().exp_avg_sq(), device);
  }
  if (net.has_ema()) copy_or_clone(into.ema, net.ema()->data(), device);
  for (const auto& b : net.module().named_buffers(true)) {
    copy_or_clone(into.buffers[b.key()], b.value(), device);
  }
}

NetworkState capture_network(TrainableNetwork& net, torch::Device device, bool with_optimizer) {
  NetworkState s;
  capture_network(net, s, device, with_optimizer);
  return s;
}

void check_network_state(const NetworkState& saved, TrainableNetwork& net,
                         std::vector<std::string>& problems) {
  const auto& entries = net.params().entries();
  if (saved.params.size() != entries.size()) {
    problems.push_back("network " + net.name() + " has " + std::to_string(entries.size()) +
                       " parameter tensors, the checkpoint " + std::to_string(saved.params.size()));
  }
  for (size_t i = 0; i < std::min(entries.size(), saved.params.size()); ++i) {
    if (entries[i].name != saved.params[i].first || entries[i].shape != saved.params[i].second) {
      problems.push_back("network " + net.name() + ": parameter " + saved.params[i].first + " " +
                         shape_str(saved.params[i].second) + " in the checkpoint, " +
                         entries[i].name + " " + shape_str(entries[i].shape) + " in the model");
    }
  }
  const int64_t n = net.params().numel();
  auto wrong = [n](const torch::Tensor& t) { return t.defined() && t.numel() != n; };
  if (saved.flat.numel() != n || wrong(saved.exp_avg) || wrong(saved.exp_avg_sq) ||
      wrong(saved.ema)) {
    problems.push_back("network " + net.name() + ": " + std::to_string(saved.flat.numel()) +
                       " parameter values in the checkpoint, " + std::to_string(n) +
                       " in the model");
  }
  for (const auto& b : net.module().named_buffers(true)) {
    auto it = saved.buffers.find(b.key());
    if (it == saved.buffers.end()) {
      problems.push_back("network " + net.name() + ": buffer " + b.key() + " is missing");
    } else if (it->second.sizes() != b.value().sizes()) {
      problems.push_back("network " + net.name() + ": buffer " + b.key() + " " +
                         shape_str(it->second.sizes().vec()) + " in the checkpoint, " +
                         shape_str(b.value().sizes().vec()) + " in the model");
    }
  }
}

void copy_network_state(const NetworkState& saved, TrainableNetwork& net) {
  torch::NoGradGuard no_grad;
  net.params().data().copy_(saved.flat);
  if (saved.exp_avg.defined()) {
    net.optimizer().exp_avg().copy_(saved.exp_avg);
    net.optimizer().exp_avg_sq().copy_(saved.exp_avg_sq);
    net.optimizer().set_steps(saved.updates);
  }
  if (net.has_ema()) net.ema()->data().copy_(saved.ema.defined() ? saved.ema : saved.flat);
  for (auto& b : net.module().named_buffers(true)) b.value().copy_(saved.buffers.at(b.key()));
}

void throw_mismatch(const std::string& what, const std::vector<std::string>& problems) {
  if (problems.empty()) return;
  std::string msg = what + " does not match the model:";
  for (const auto& p : problems) msg += "\n  - " + p;
  throw CheckpointError(msg);
}

void restore_network(const NetworkState& saved, TrainableNetwork& net, const std::string& what) {
  std::vector<std::string> problems;
  check_network_state(saved, net, problems);
  throw_mismatch(what, problems);
  copy_network_state(saved, net);
}

}  // namespace scorelab
