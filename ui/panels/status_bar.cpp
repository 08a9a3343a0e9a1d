#include "panels/status_bar.h"

#include <imgui.h>
#include <unistd.h>

#include <cstdio>

namespace scorelab::ui {

double resident_mib() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  long pages = 0, resident = 0;
  const int got = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  if (got != 2) return 0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1 << 20);
}

void draw_status_bar(AppContext& ctx) {
  const Snapshot& s = *ctx.snap;
  double rate = 0;
  if (!s.rates.empty()) rate = s.rates.back().recent_per_s;
  const ImVec4 state_color = s.state == RunState::error     ? ImVec4(1, .35f, .3f, 1)
                             : s.state == RunState::running ? ImVec4(.4f, 1, .5f, 1)
                                                            : ImVec4(1, .85f, .3f, 1);
  ImGui::TextColored(state_color, "%s", to_string(s.state));
  ImGui::SameLine();
  ImGui::Text("| %s on %s | step %lld | %.0f steps/s | frame %.1f ms | %s | %.0f MiB",
              s.method.c_str(), s.config.data.name.c_str(), static_cast<long long>(s.step), rate,
              ctx.frame_ms, s.device.c_str(), resident_mib());
  if (!s.device_reason.empty() && ImGui::IsItemHovered()) {
    ImGui::SetTooltip("%s\nsteps: %s", s.device_reason.c_str(), s.step_mode.c_str());
  }
  if (!s.device_reason.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("| %s", s.device_reason.c_str());
  }
  if (!s.phase.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(ImVec4(.55f, .8f, 1, 1), "| %s", s.phase.c_str());
  }
  const std::string& note = ctx.notice.empty() ? s.message : ctx.notice;
  if (!note.empty()) {
    ImGui::SameLine();
    ImGui::TextDisabled("| %s", note.c_str());
  }
}

}  // namespace scorelab::ui
