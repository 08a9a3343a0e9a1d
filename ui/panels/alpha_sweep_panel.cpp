#include "panels/alpha_sweep_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"

namespace scorelab::ui {

void AlphaSweepPanel::request(AppContext& ctx, const std::string& model) {
  FieldRequest q;
  q.model = model;
  q.sigma = std::pow(10.0, log10_sigma_);
  q.exact = false;  // the exact mixture needs thousands of generator samples per α: too slow here
  q.x0 = view_.cx - view_.half;
  q.x1 = view_.cx + view_.half;
  q.y0 = view_.cy - view_.half;
  q.y1 = view_.cy + view_.half;
  q.nx = q.ny = grid_;
  q.data = ctx.snap->config.data.name;
  pending_.clear();
  for (float a : alphas_) {
    q.alpha = a;
    pending_.push_back(ctx.trainer.eval_field(q));
  }
  q.alpha = alpha_star_;
  pending_.push_back(ctx.trainer.eval_field(q));
  q.alpha = 0;
  pending_.push_back(ctx.trainer.eval_field(q));
  cadence_.mark(ctx.now);
}

void AlphaSweepPanel::collect(AppContext& ctx) {
  if (pending_.empty() ||
      !std::all_of(pending_.begin(), pending_.end(), [](auto& f) { return is_ready(f); })) {
    return;
  }
  try {
    for (int i = 0; i < kColumns; ++i) layers_[i].upload(pending_[i].get());
    direction_at_ = pending_[kColumns].get();
    direction_zero_ = pending_[kColumns + 1].get();
    direction_.upload_difference(direction_at_, direction_zero_);
    ++uploads_;
  } catch (const StaleRequestError&) {
    cadence_.force = true;  // asked before a switch of data set: ask again
  } catch (const std::exception& e) {
    ctx.report_error("α-sweep: " + error_message(e));
  }
  pending_.clear();
}

void AlphaSweepPanel::controls(AppContext& ctx) {
  if (sigma_slider(log10_sigma_)) cadence_.force = true;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(110);
  if (ImGui::SliderFloat("α*", &alpha_star_, 0.001f, 1.0f, "%.3f")) cadence_.force = true;
  ImGui::SameLine();
  ImGui::Checkbox("animate", &animate_);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(70);
  if (ImGui::SliderInt("grid", &grid_, 6, 32)) cadence_.force = true;
  if (animate_) {
    // One sweep of α* every 8 s; each new α* is requested with the next field refresh.
    alpha_star_ = static_cast<float>(std::fmod(ctx.now / 8.0, 1.0));
    alpha_star_ = std::max(alpha_star_, 0.001f);
    cadence_.period = 0.15;
  } else {
    cadence_.period = 0.5;
  }
  for (int i = 0; i < kColumns; ++i) {
    ImGui::PushID(i);
    ImGui::SetNextItemWidth(60);
    if (ImGui::InputFloat("##a", &alphas_[i], 0, 0, "%.2f", ImGuiInputTextFlags_EnterReturnsTrue)) {
      alphas_[i] = std::clamp(alphas_[i], 0.f, 1.f);
      cadence_.force = true;
    }
    ImGui::PopID();
    ImGui::SameLine();
  }
  ImGui::TextDisabled("α values of the row");
}

bool AlphaSweepPanel::plots(AppContext& ctx) {
  // Six plots (the α row and the update direction) in the arrangement that makes them largest.
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float text_h = ImGui::GetTextLineHeightWithSpacing();
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  int cols = 6;
  float side = 0;
  for (int c : {6, 3, 2}) {
    const int rows = (kColumns + 1 + c - 1) / c;
    const float s_c =
        std::min((avail.x - (c - 1) * gap) / c, (avail.y - text_h - rows * (text_h + gap)) / rows);
    if (s_c > side) {
      side = s_c;
      cols = c;
    }
  }
  side = std::max(side, 40.f);
  bool moved = false;
  for (int i = 0; i <= kColumns; ++i) {
    ImGui::BeginGroup();
    if (i < kColumns) {
      ImGui::Text("α = %.2f", alphas_[i]);
    } else {
      ImGui::Text("update direction, α* %.2f", direction_at_.request.alpha);
    }
    FieldLayers& layers = i < kColumns ? layers_[i] : direction_;
    moved |= plots_[i].show(
        ctx, ("alpha-sweep-" + std::to_string(i)).c_str(), ImVec2(side, side), view_, uploads_,
        [&](int w, int h) { layers.learned_arrows.draw(ctx.shaders.lines, view_, w, h); },
        /*axes=*/false);
    ImGui::EndGroup();
    if ((i + 1) % cols != 0 && i < kColumns) ImGui::SameLine();
  }
  return moved;
}

void AlphaSweepPanel::draw(AppContext& ctx) {
  if (follow_data_view(ctx, view_, view_seen_)) cadence_.force = true;
  const Snapshot& s = *ctx.snap;
  const std::string& model = s.mixture_score_model;
  if (model.empty()) {
    ImGui::TextWrapped(
        "%s learns no α-conditioned mixture score; the α-sweep applies to SMT (its amortized "
        "score model) and SMD (its explicit mixture of teacher and fake scores).",
        s.method.c_str());
    return;
  }
  collect(ctx);
  controls(ctx);
  if (plots(ctx)) cadence_.force = true;
  ImGui::TextDisabled(
      "%s model \"%s\" at step %lld; the last plot is s(α*) − s(0), the direction "
      "the generator's samples move",
      s.method.c_str(), model.c_str(), static_cast<long long>(layers_[0].result.step));
  if (pending_.empty() && cadence_.due(ctx.now) &&
      (cadence_.force || animate_ || s.step != requested_step_)) {
    requested_step_ = s.step;
    request(ctx, model);
  }
}

}  // namespace scorelab::ui
