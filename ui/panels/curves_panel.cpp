#include "panels/curves_panel.h"

#include <imgui.h>

#include <algorithm>

#include "metrics/metric_names.h"
#include "panels/line_plot.h"

namespace scorelab::ui {

namespace {
PlotSeries series_of(const Series& s, const char* label, int color) {
  return PlotSeries{label ? label : s.name, &s.steps, &s.values, series_color(color)};
}
}  // namespace

void CurvesPanel::draw(AppContext& ctx) {
  const Snapshot& s = *ctx.snap;
  if (ctx.now - last_rate_sample_ >= 1.0 && s.state == RunState::running && !s.rates.empty()) {
    if (!rate_steps_.empty() && s.step < rate_steps_.back()) {  // a reset: start over
      rate_steps_.clear();
      rate_values_.clear();
    }
    rate_steps_.push_back(s.step);
    rate_values_.push_back(s.rates.back().recent_per_s);
    last_rate_sample_ = ctx.now;
  }
  ImGui::Checkbox("log losses", &log_losses_);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool mixture = s.metric(metric::modes_covered) != nullptr;
  const int rows = mixture ? 4 : 3;
  const float h = std::max(60.f, (avail.y - (rows - 1) * 4) / rows);
  const ImVec2 size(avail.x, h);

  std::vector<PlotSeries> losses;
  for (size_t i = 0; i < s.losses.size(); ++i) {
    // Losses that stay zero (an unused head) only clutter the chart.
    const auto& v = s.losses[i].values;
    if (std::all_of(v.begin(), v.end(), [](double x) { return x == 0; })) continue;
    losses.push_back(series_of(s.losses[i], nullptr, static_cast<int>(i)));
  }
  line_plot("losses", losses, size, log_losses_);

  if (!s.image_shape.empty()) {
    // Image runs: FID, always named with the network whose features it compares.
    const std::string label =
        !s.fid_label.empty() ? s.fid_label : std::string("FID (fmnist-classifier features)");
    std::vector<PlotSeries> fid;
    if (const Series* m = s.metric(s.fid_metric)) fid.push_back(series_of(*m, label.c_str(), 0));
    if (const Series* m = s.metric(s.fid_floor_metric))
      fid.push_back(series_of(*m, "real-vs-real floor (train vs test)", 5));
    line_plot(label.c_str(), fid, size, true);
  } else {
    std::vector<PlotSeries> w2;
    if (const Series* m = s.metric(metric::sliced_w2)) w2.push_back(series_of(*m, "sliced W2", 0));
    if (const Series* m = s.metric(metric::sliced_w2_floor))
      w2.push_back(series_of(*m, "noise floor", 5));
    line_plot("sliced W2", w2, size, true);
  }

  if (mixture) {
    std::vector<PlotSeries> modes;
    if (const Series* m = s.metric(metric::high_quality_rate))
      modes.push_back(series_of(*m, "high-quality rate", 2));
    line_plot("high-quality rate", modes, ImVec2(size.x * 0.5f - 2, h), false);
    ImGui::SameLine();
    std::vector<PlotSeries> covered;
    if (const Series* m = s.metric(metric::modes_covered))
      covered.push_back(series_of(*m, "modes covered", 3));
    line_plot("modes covered", covered, ImVec2(size.x * 0.5f - 2, h), false);
  }
  const std::string rate_label =
      s.rates.empty() ? std::string("steps/s") : s.rates.back().name + " steps/s";
  line_plot("speed", {PlotSeries{rate_label, &rate_steps_, &rate_values_, series_color(4)}}, size,
            false);
}

}  // namespace scorelab::ui
