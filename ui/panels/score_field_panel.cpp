#include "panels/score_field_panel.h"

#include <imgui.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace scorelab::ui {

void ScoreFieldPanel::request(AppContext& ctx) {
  const Snapshot& s = *ctx.snap;
  if (s.score_models.empty()) return;
  if (std::find(s.score_models.begin(), s.score_models.end(), model_) == s.score_models.end()) {
    model_ = s.data_score_model.empty() ? s.score_models.front() : s.data_score_model;
  }
  FieldRequest q;
  q.model = model_;
  q.sigma = std::pow(10.0, log10_sigma_);
  q.alpha = alpha_;
  float hx, hy;
  view_.half_extents(plot_.size().x, plot_.size().y, hx, hy);
  q.x0 = view_.cx - hx;
  q.x1 = view_.cx + hx;
  q.y0 = view_.cy - hy;
  q.y1 = view_.cy + hy;
  const double aspect = plot_.size().y > 0 ? plot_.size().x / plot_.size().y : 1.0;
  q.nx = std::max<int64_t>(2, std::lround(grid_ * std::max(1.0, aspect)));
  q.ny = std::max<int64_t>(2, std::lround(grid_ / std::min(1.0, aspect)));
  q.exact = show_exact_ || show_density_ || show_error_;
  q.data = s.config.data.name;
  pending_ = ctx.trainer.eval_field(q);
  cadence_.mark(ctx.now);
}

void ScoreFieldPanel::controls(const Snapshot& s) {
  if (!s.score_models.empty()) {
    ImGui::SetNextItemWidth(110);
    if (ImGui::BeginCombo("network", model_.c_str())) {
      for (const auto& m : s.score_models) {
        if (ImGui::Selectable(m.c_str(), m == model_)) {
          model_ = m;
          cadence_.force = true;
        }
      }
      ImGui::EndCombo();
    }
    ImGui::SameLine();
  }
  if (sigma_slider(log10_sigma_)) cadence_.force = true;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90);
  if (ImGui::SliderFloat("α", &alpha_, 0.0f, 1.0f, "%.2f")) cadence_.force = true;
  if (ImGui::Checkbox("exact", &show_exact_)) cadence_.force = true;
  ImGui::SameLine();
  if (ImGui::Checkbox("density", &show_density_)) cadence_.force = true;
  ImGui::SameLine();
  if (ImGui::Checkbox("error", &show_error_)) cadence_.force = true;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(80);
  if (ImGui::SliderInt("grid", &grid_, 8, 64)) cadence_.force = true;
}

// The nearest grid node's learned and exact vectors and their difference, under the mouse.
void ScoreFieldPanel::hover_readout() {
  const FieldResult& r = layers_.result;
  if (plot_.hovered() && r.points.defined()) {
    double wx, wy;
    view_.to_world(ImGui::GetIO().MousePos, plot_.origin(), plot_.size(), wx, wy);
    const int64_t i = layers_.nearest_node(wx, wy);
    if (i >= 0) {
      auto l = r.learned[i];
      ImGui::BeginTooltip();
      ImGui::Text("x (%.2f, %.2f)", r.points[i][0].item<float>(), r.points[i][1].item<float>());
      ImGui::Text("learned (%.3g, %.3g)", l[0].item<float>(), l[1].item<float>());
      if (r.exact.defined()) {
        auto e = r.exact[i];
        ImGui::Text("exact   (%.3g, %.3g)", e[0].item<float>(), e[1].item<float>());
        ImGui::Text("error   %.3g", (l - e).norm().item<float>());
      }
      ImGui::EndTooltip();
    }
  }
}

void ScoreFieldPanel::draw(AppContext& ctx) {
  if (follow_data_view(ctx, view_, view_seen_)) cadence_.force = true;
  const Snapshot& s = *ctx.snap;
  if (is_ready(pending_)) {
    try {
      layers_.upload(pending_.get());
      ++uploads_;
    } catch (const StaleRequestError&) {
      cadence_.force = true;  // asked before a switch of data set: ask again
    } catch (const std::exception& e) {
      ctx.report_error("score field: " + error_message(e));
    }
  }
  controls(s);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const uint64_t content =
      uploads_ << 3 | (show_exact_ ? 1 : 0) | (show_density_ ? 2 : 0) | (show_error_ ? 4 : 0);
  const bool moved = plot_.show(ctx, "field", ImVec2(avail.x, std::max(avail.y - 18, 40.f)), view_,
                                content, [&](int w, int h) {
                                  if (layers_.has_exact && show_density_) {
                                    HeatmapStyle st;
                                    st.vmin = layers_.density_lo;
                                    st.vmax = layers_.density_hi;
                                    st.opacity = 0.85f;
                                    layers_.density.draw(ctx.shaders.heatmap, view_, w, h, st);
                                  }
                                  if (layers_.has_exact && show_error_) {
                                    HeatmapStyle st;
                                    st.vmax = layers_.error_hi;
                                    st.palette = 1;
                                    st.opacity = 0.8f;
                                    layers_.error.draw(ctx.shaders.heatmap, view_, w, h, st);
                                  }
                                  if (layers_.has_exact && show_exact_)
                                    layers_.exact_arrows.draw(ctx.shaders.lines, view_, w, h);
                                  layers_.learned_arrows.draw(ctx.shaders.lines, view_, w, h);
                                });
  if (moved) cadence_.force = true;

  const FieldResult& r = layers_.result;
  hover_readout();
  ImGui::TextDisabled(
      "%s at step %lld; exact: %s  (drag to pan, wheel to zoom, double-click to reset)",
      r.request.model.c_str(), static_cast<long long>(r.step),
      r.exact_kind.empty() ? "off" : r.exact_kind.c_str());
  // Fields follow training: on the cadence while the step moves, at once after a change here.
  if (!pending_.valid() && cadence_.due(ctx.now) && (cadence_.force || s.step != requested_step_)) {
    requested_step_ = s.step;
    request(ctx);
  }
}

}  // namespace scorelab::ui
