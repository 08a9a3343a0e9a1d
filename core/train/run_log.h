#pragma once
// What a run has measured so far: a curve per loss and per metric (thinned by half past a cap),
// the rows of metrics.csv (losses averaged since the last row, the latest evaluation's metrics),
// and each network's update rates.
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "train/snapshot.h"

namespace scorelab {

class RunDirectory;
class TrainableNetwork;

class RunLog {
 public:
  RunLog() = default;
  RunLog(const std::vector<std::string>& loss_names, const std::vector<std::string>& metric_names,
         const std::vector<TrainableNetwork*>& networks);

  // The losses of the k steps ending at `step`: rows [k, losses], float64 on the CPU, finite.
  void add_losses(int64_t step, const torch::Tensor& rows);
  // The run's wall seconds at `step` (curves by time).
  void add_clock(int64_t step, double wall_seconds);
  // An evaluation's values at `step`; names without a curve are skipped. They also go into the
  // next CSV row.
  void add_metrics(int64_t step, const std::map<std::string, double>& values);
  // Updates, learning rate and ‖Δθ‖ of each network; recent rates over windows of ≥ 0.5 s.
  void update_rates(const std::vector<TrainableNetwork*>& networks, double train_seconds);
  // Starts the recent-rate window afresh (after a checkpoint replaced the networks).
  void restart_rates(const std::vector<TrainableNetwork*>& networks, double train_seconds);

  // Appends a row to metrics.csv (when there is a folder) and starts the next one.
  void write_csv_row(RunDirectory* dir, int64_t step, double wall_seconds, double train_seconds);
  // True when the latest state is not in metrics.csv yet.
  bool csv_behind(int64_t step) const { return last_csv_step_ != step || !csv_metrics_.empty(); }

  // The curves and rates, into a snapshot being published.
  void publish_into(Snapshot& s) const;

 private:
  std::vector<Series> losses_, metrics_;
  Series clock_{"wall_s", {}, {}};
  std::vector<double> csv_loss_sum_;
  int64_t csv_loss_rows_ = 0;
  int64_t last_csv_step_ = -1;
  std::map<std::string, double> csv_metrics_;
  std::vector<NetworkRate> rates_;
  std::vector<int64_t> window_updates_;
  double window_start_ = 0;
};

}  // namespace scorelab
