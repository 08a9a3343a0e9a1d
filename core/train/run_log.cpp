#include "train/run_log.h"

#include <torch/torch.h>

#include "optim/trainable_network.h"
#include "train/run_directory.h"

namespace scorelab {

namespace {

constexpr size_t kSeriesCap = 4000;  // points per curve before it is thinned by half

void push_point(Series& s, int64_t step, double value) {
  s.steps.push_back(step);
  s.values.push_back(value);
  if (s.values.size() > kSeriesCap) {
    size_t j = 0;
    for (size_t i = 0; i < s.values.size(); i += 2, ++j) {
      s.steps[j] = s.steps[i];
      s.values[j] = s.values[i];
    }
    s.steps.resize(j);
    s.values.resize(j);
  }
}

}  // namespace

RunLog::RunLog(const std::vector<std::string>& loss_names,
               const std::vector<std::string>& metric_names,
               const std::vector<TrainableNetwork*>& networks) {
  for (const auto& n : loss_names) losses_.push_back({n, {}, {}});
  for (const auto& n : metric_names) metrics_.push_back({n, {}, {}});
  csv_loss_sum_.assign(losses_.size(), 0.0);
  for (auto* net : networks) rates_.push_back({net->name(), net->updates(), 0, 0});
  restart_rates(networks, 0);
}

void RunLog::add_losses(int64_t step, const torch::Tensor& rows) {
  auto mean = rows.mean(0);
  for (size_t i = 0; i < losses_.size(); ++i) {
    push_point(losses_[i], step, mean[i].item<double>());
    csv_loss_sum_[i] += rows.select(1, i).sum().item<double>();
  }
  csv_loss_rows_ += rows.size(0);
}

void RunLog::add_clock(int64_t step, double wall_seconds) {
  push_point(clock_, step, wall_seconds);
}

void RunLog::add_metrics(int64_t step, const std::map<std::string, double>& values) {
  for (auto& series : metrics_) {
    auto it = values.find(series.name);
    if (it != values.end()) push_point(series, step, it->second);
  }
  csv_metrics_ = values;
}

void RunLog::update_rates(const std::vector<TrainableNetwork*>& nets, double train_seconds) {
  const double dt = train_seconds - window_start_;
  for (size_t i = 0; i < nets.size(); ++i) {
    NetworkRate& r = rates_[i];
    r.updates = nets[i]->updates();
    r.lr = nets[i]->optimizer().hyper().lr;
    const auto& u = nets[i]->optimizer().last_update_norm();
    if (u.defined()) r.last_update_norm = u.item<double>();
    if (train_seconds > 0) r.average_per_s = r.updates / train_seconds;
    if (dt >= 0.5) {
      r.recent_per_s = (r.updates - window_updates_[i]) / dt;
      window_updates_[i] = r.updates;
    }
  }
  if (dt >= 0.5) window_start_ = train_seconds;
}

void RunLog::restart_rates(const std::vector<TrainableNetwork*>& nets, double train_seconds) {
  window_updates_.clear();
  for (auto* net : nets) window_updates_.push_back(net->updates());
  window_start_ = train_seconds;
}

void RunLog::publish_into(Snapshot& s) const {
  s.losses = losses_;
  s.metrics = metrics_;
  s.clock = clock_;
  s.rates = rates_;
}

void RunLog::write_csv_row(RunDirectory* dir, int64_t step, double wall_seconds,
                           double train_seconds) {
  if (!dir) return;
  std::map<std::string, double> losses;
  if (csv_loss_rows_ > 0) {
    for (size_t i = 0; i < losses_.size(); ++i) {
      losses[losses_[i].name] = csv_loss_sum_[i] / csv_loss_rows_;
    }
  }
  dir->append_metrics(step, wall_seconds, train_seconds, losses, csv_metrics_);
  last_csv_step_ = step;
  csv_loss_sum_.assign(losses_.size(), 0.0);
  csv_loss_rows_ = 0;
  csv_metrics_.clear();
}

}  // namespace scorelab
