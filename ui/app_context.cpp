#include "app_context.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>

namespace scorelab::ui {

std::string mixture_model(const Snapshot& snap) {
  const auto& m = snap.score_models;
  if (std::find(m.begin(), m.end(), "mixture") != m.end()) return "mixture";
  if (snap.method == "smt") return "score";
  return "";
}

bool sigma_slider(float& log10_sigma) {
  ImGui::SetNextItemWidth(120);
  const bool moved =
      ImGui::SliderFloat("##sigma", &log10_sigma, -2.0f, static_cast<float>(std::log10(5.0)), "");
  ImGui::SameLine();
  ImGui::Text("σ %.3g", std::pow(10.0, log10_sigma));
  return moved;
}

}  // namespace scorelab::ui
