#include "panels/curves_panel.h"

#include <imgui.h>

#include <algorithm>

#include "common/error.h"
#include "compare/run_history.h"
#include "metrics/metric_names.h"
#include "widgets/line_plot.h"

namespace scorelab::ui {

namespace {

PlotSeries series_of(const Series& s, const char* label, int color) {
  return step_series(label ? label : s.name, s.steps, s.values, series_color(color));
}

// FID (images) or sliced W2 (points), and for mixtures the high-quality rate and modes covered.
void draw_quality_charts(const Snapshot& s, ImVec2 size, bool mixture) {
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
    line_plot("high-quality rate", modes, ImVec2(size.x * 0.5f - 2, size.y), false);
    ImGui::SameLine();
    std::vector<PlotSeries> covered;
    if (const Series* m = s.metric(metric::modes_covered))
      covered.push_back(series_of(*m, "modes covered", 3));
    line_plot("modes covered", covered, ImVec2(size.x * 0.5f - 2, size.y), false);
  }
}

}  // namespace

// The training rate, sampled once a second while running (a reset starts the chart over).
void CurvesPanel::record_rate(const AppContext& ctx) {
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
}

void CurvesPanel::open_run(AppContext& ctx, const std::string& dir) {
  try {
    const ArchivedRun& r = ctx.runs.add(read_run_history(dir));
    ctx.notice = r.name + " opened beside the live run";
  } catch (const std::exception& e) {
    ctx.report_error(error_message(e) + "\nThe list of runs is unchanged.");
  }
}

void CurvesPanel::draw_runs_menu(AppContext& ctx) {
  auto& runs = ctx.runs.runs();
  int shown = 0;
  for (const auto& r : runs) shown += r.shown;
  const std::string label =
      "Runs (" + std::to_string(shown) + "/" + std::to_string(runs.size()) + " shown)###runs";
  if (ImGui::SmallButton(label.c_str())) ImGui::OpenPopup("runs");
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "Every run since the app started, and run folders you open: tick one to overlay it on "
        "the live run");
  }
  if (!ImGui::BeginPopup("runs")) return;
  ImGui::TextDisabled("live: run %d", ctx.runs.live_number());
  if (runs.empty()) ImGui::TextDisabled("no past runs yet: a reset or a new config keeps one");
  for (auto& r : runs) {
    ImGui::PushID(r.number);
    ImGui::Checkbox(r.name.c_str(), &r.shown);
    if (ImGui::IsItemHovered() && !r.history.dir.empty()) {
      ImGui::SetTooltip("%s", r.history.dir.c_str());
    }
    if (r.history.dir.empty()) {
      ImGui::SameLine();
      if (ImGui::SmallButton("save")) {
        const std::string dir = "runs/run" + std::to_string(r.number) + "-" +
                                (r.history.has_config ? r.history.config.method.name : "run");
        try {
          save_run_history(r.history, dir);
          r.history.dir = dir;
          ctx.notice = r.name + " saved in " + dir + " (curves and config)";
        } catch (const std::exception& e) {
          ctx.report_error("saving " + dir + " failed: " + error_message(e));
        }
      }
    }
    ImGui::PopID();
  }
  ImGui::Separator();
  ImGui::SetNextItemWidth(260);
  const bool enter = ImGui::InputText("##open", open_path_, sizeof open_path_,
                                      ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (ImGui::Button("Open run folder") || enter) open_run(ctx, open_path_);
  if (ImGui::Button("Show all")) {
    for (auto& r : runs) r.shown = true;
  }
  ImGui::SameLine();
  if (ImGui::Button("Hide all")) {
    for (auto& r : runs) r.shown = false;
  }
  ImGui::EndPopup();
}

void CurvesPanel::draw_comparison(AppContext& ctx, ImVec2 size) {
  // The lines are rebuilt only when something they show changed: a new snapshot, another
  // choice of runs, metric or axis.
  std::string key = std::to_string(ctx.snap->version) + "/" + metric_ + "/" +
                    std::to_string(by_time_) + "/" + std::to_string(ctx.runs.live_number());
  // A run's row count too: a watched folder's curves grow while the snapshot stands still.
  for (const auto& r : ctx.runs.runs())
    if (r.shown)
      key += "," + std::to_string(r.number) + ":" + std::to_string(r.history.rows.size());
  if (key != lines_key_) {
    lines_key_ = key;
    // Watching a folder, the app's own run (a paused copy of the latest checkpoint) has no
    // curves of its own: only the folder's (and other ticked runs) are drawn, by name.
    const bool watching = !ctx.watching.empty();
    std::vector<RunHistory> histories;
    std::vector<std::string> names;
    if (!watching) {
      histories.push_back(ctx.runs.live());
      names.push_back("run " + std::to_string(ctx.runs.live_number()) + " (live)");
    }
    for (const auto& r : ctx.runs.runs()) {
      if (!r.shown) continue;
      histories.push_back(r.history);
      names.push_back(watching ? r.name : "run " + std::to_string(r.number));
    }
    columns_ = metric_columns(histories);
    shown_metric_ = !metric_.empty() && std::count(columns_.begin(), columns_.end(), metric_)
                        ? metric_
                        : default_compare_metric(histories);
    const std::vector<std::string> differ = differing_settings(histories);
    lines_.clear();
    overlay_labels_.clear();
    for (size_t i = 0; i < histories.size(); ++i) {
      std::string label = names[i];
      if (!differ[i].empty()) label += ": " + differ[i];
      overlay_labels_.push_back(label);
      lines_.push_back(point_series(label, histories[i].curve(shown_metric_, by_time_),
                                    series_color(static_cast<int>(i))));
    }
  }
  ImGui::SetNextItemWidth(std::min(200.f, size.x * 0.4f));
  if (ImGui::BeginCombo("##metric", shown_metric_.c_str())) {
    for (const auto& c : columns_)
      if (ImGui::Selectable(c.c_str(), c == shown_metric_)) metric_ = c;
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  if (ImGui::RadioButton("by step", !by_time_)) by_time_ = false;
  ImGui::SameLine();
  if (ImGui::RadioButton("by time", by_time_)) by_time_ = true;
  ImGui::SameLine();
  ImGui::Checkbox("log##compare", &log_compare_);
  line_plot((shown_metric_ + ", runs side by side").c_str(), lines_, size, log_compare_,
            by_time_ ? "s" : "step");
}

void CurvesPanel::draw(AppContext& ctx) {
  const Snapshot& s = *ctx.snap;
  record_rate(ctx);
  ImGui::Checkbox("log losses", &log_losses_);
  ImGui::SameLine();
  draw_runs_menu(ctx);
  if (!ctx.watching.empty()) {
    // The watched folder's curves fill the panel (any metrics.csv column from the menu).
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    if (std::none_of(ctx.runs.runs().begin(), ctx.runs.runs().end(),
                     [](const ArchivedRun& r) { return r.shown; })) {
      ImGui::TextDisabled("waiting for %s/metrics.csv", ctx.watching.c_str());
      return;
    }
    draw_comparison(ctx, ImVec2(avail.x, avail.y - ImGui::GetFrameHeightWithSpacing()));
    return;
  }
  const bool comparing = std::any_of(ctx.runs.runs().begin(), ctx.runs.runs().end(),
                                     [](const ArchivedRun& r) { return r.shown; });
  if (!comparing) {
    overlay_labels_.clear();
    lines_key_.clear();
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool mixture = s.metric(metric::modes_covered) != nullptr;
  // The comparison, when there is one, takes two rows' height (its legend can be long), less
  // its line of controls.
  const int rows = (mixture ? 4 : 3) + (comparing ? 2 : 0);
  const int charts = (mixture ? 4 : 3) + (comparing ? 1 : 0);
  const float h = std::max(60.f, (avail.y - (charts - 1) * 4) / rows);
  const ImVec2 size(avail.x, h);
  if (comparing) {
    draw_comparison(ctx, ImVec2(avail.x, 2 * h - ImGui::GetFrameHeightWithSpacing()));
  }

  std::vector<PlotSeries> losses;
  for (size_t i = 0; i < s.losses.size(); ++i) {
    // Losses that stay zero (an unused head) only clutter the chart.
    const auto& v = s.losses[i].values;
    if (std::all_of(v.begin(), v.end(), [](double x) { return x == 0; })) continue;
    losses.push_back(series_of(s.losses[i], nullptr, static_cast<int>(i)));
  }
  line_plot("losses", losses, size, log_losses_);

  draw_quality_charts(s, size, mixture);
  const std::string rate_label =
      s.rates.empty() ? std::string("steps/s") : s.rates.back().name + " steps/s";
  line_plot("speed", {step_series(rate_label, rate_steps_, rate_values_, series_color(4))}, size,
            false);
}

}  // namespace scorelab::ui
