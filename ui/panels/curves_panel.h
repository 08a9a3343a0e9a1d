#pragma once
// Panel 6, curves: each network's loss, sliced W2 beside its noise floor, mode metrics for the
// mixtures, and training steps/s over time; log axes where the values span decades. Past runs
// (every run since the app started, and run folders opened) can be overlaid on the live run in
// a comparison chart, by step or by wall time, each named by the settings in which it differs.
#include <cstdint>
#include <string>
#include <vector>

#include "app_context.h"
#include "panels/panel.h"
#include "widgets/line_plot.h"

namespace scorelab::ui {

class CurvesPanel final : public Panel {
 public:
  void draw(AppContext& ctx) override;

  // Script and test hooks: what the comparison chart shows.
  void set_by_time(bool by_time) { by_time_ = by_time; }
  void set_metric(const std::string& metric) { metric_ = metric; }
  // Reads a run folder into the list, shown; errors go to the modal.
  void open_run(AppContext& ctx, const std::string& dir);
  // The comparison chart's legend as last drawn ("" when it was not drawn).
  const std::vector<std::string>& overlay_labels() const { return overlay_labels_; }

 private:
  void record_rate(const AppContext& ctx);
  void draw_runs_menu(AppContext& ctx);
  void draw_comparison(AppContext& ctx, ImVec2 size);

  // steps/s sampled by the UI about once a second (the Trainer reports only the latest rate).
  std::vector<int64_t> rate_steps_;
  std::vector<double> rate_values_;
  double last_rate_sample_ = -1e9;
  bool log_losses_ = true;
  bool by_time_ = false;
  bool log_compare_ = true;
  std::string metric_;  // "" = the default for the runs shown
  char open_path_[512] = "runs/";
  std::vector<std::string> overlay_labels_;
  // The comparison as last built, and what it was built from.
  std::string lines_key_, shown_metric_;
  std::vector<std::string> columns_;
  std::vector<PlotSeries> lines_;
};

}  // namespace scorelab::ui
