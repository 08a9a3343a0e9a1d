#include "panels/controls_panel.h"

#include <imgui.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "common/error.h"
#include "run_branch.h"
#include "settings/presets.h"
#include "settings/settings.h"

namespace scorelab::ui {

namespace {

// The sections in the order a user tunes them.
const char* const kSections[] = {"method", "optim", "noise", "model", "data", "sampler", "run"};

}  // namespace

void ControlsPanel::apply(AppContext& ctx, const std::string& key, const std::string& value,
                          bool allow_reset) {
  refused_.erase(key);
  pending_[key] = Pending{ctx.trainer.set(key, value, allow_reset), value};
}

void ControlsPanel::branch(AppContext& ctx, const std::string& key, const std::string& value) {
  refused_.erase(key);
  try {
    pending_[key] = Pending{branch_run(ctx, key, value), value};
  } catch (const std::exception& e) {
    ctx.report_error("branching failed: " + error_message(e) + "\nThe current run goes on.");
  }
}

void ControlsPanel::poll(AppContext& ctx) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (!is_ready(it->second.result)) {
      ++it;
      continue;
    }
    const std::string why = why_refused(it->second.result);
    if (why.empty()) {
      ctx.notice = it->first + " = " + it->second.value + " applied";
    } else {
      refused_[it->first] = {it->second.value, why};
    }
    it = pending_.erase(it);
  }
}

void ControlsPanel::load_preset(AppContext& ctx, const std::string& name) {
  try {
    ctx.trainer.replace_config(scorelab::load_preset(name));
    preset_ = name;
    ctx.notice = "preset " + name + " loaded";
  } catch (const std::exception& e) {
    ctx.report_error("preset " + name + ": " + error_message(e) + "\nThe current run goes on.");
  }
}

void ControlsPanel::load_file(AppContext& ctx, const std::string& path) {
  try {
    ctx.trainer.replace_config(load_config_file(path));
    preset_ = path;
    ctx.notice = "config " + path + " loaded";
  } catch (const std::exception& e) {
    ctx.report_error(error_message(e) + "\nThe current run goes on.");
  }
}

void ControlsPanel::save_file(AppContext& ctx, const std::string& path) {
  try {
    save_config_file(ctx.snap->config, path);
    ctx.notice = "config saved to " + path;
  } catch (const std::exception& e) {
    ctx.report_error("saving " + path + " failed: " + error_message(e) +
                     "\nAny earlier file there is unchanged.");
  }
}

void ControlsPanel::draw_field(AppContext& ctx, const FieldInfo& f, const nlohmann::json& cur) {
  const nlohmann::json* v = find_setting(cur, f.key);
  if (!v) return;
  const std::string label = f.key.substr(f.key.find('.') + 1);
  ImGui::PushID(f.key.c_str());
  ImGui::SetNextItemWidth(-150);
  if (f.type == "flag") {
    bool b = v->get<bool>();
    if (ImGui::Checkbox(label.c_str(), &b)) apply(ctx, f.key, b ? "true" : "false");
  } else if (f.type == "choice") {
    const std::string now = v->get<std::string>();
    if (ImGui::BeginCombo(label.c_str(), now.c_str())) {
      for (const auto& o : f.options) {
        if (ImGui::Selectable(o.c_str(), o == now)) apply(ctx, f.key, o);
      }
      ImGui::EndCombo();
    }
  } else if (f.type == "integer") {
    int64_t x = v->get<int64_t>();
    ImGui::InputScalar(label.c_str(), ImGuiDataType_S64, &x);
    if (ImGui::IsItemDeactivatedAfterEdit()) apply(ctx, f.key, std::to_string(x));
  } else if (f.type == "number") {
    double x = v->get<double>();
    ImGui::InputDouble(label.c_str(), &x, 0, 0, "%g");
    if (ImGui::IsItemDeactivatedAfterEdit()) {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", x);
      apply(ctx, f.key, buf);
    }
  } else {  // text and number lists, edited as text
    auto it = text_edits_.find(f.key);
    const std::string shown = it != text_edits_.end() ? it->second : setting_text(*v);
    char buf[512];
    std::snprintf(buf, sizeof buf, "%s", shown.c_str());
    if (ImGui::InputText(label.c_str(), buf, sizeof buf)) text_edits_[f.key] = buf;
    if (ImGui::IsItemDeactivatedAfterEdit()) {
      apply(ctx, f.key, buf);
      text_edits_.erase(f.key);
    }
  }
  if (ImGui::IsItemHovered()) {
    char range[96] = "";
    if (f.type == "number" || f.type == "integer") {
      std::snprintf(range, sizeof range, "\nrange %c%g, %g%c", f.lo_open ? '(' : '[', f.lo, f.hi,
                    f.hi_open ? ')' : ']');
    }
    ImGui::SetTooltip("%s: %s%s\n%s", f.key.c_str(), f.doc.c_str(), range,
                      f.live ? "applies live" : "applies after a reset of the run");
  }
  if (!f.live) {
    ImGui::SameLine();
    ImGui::TextDisabled("(reset)");
  }
  if (pending_.count(f.key)) {
    ImGui::SameLine();
    ImGui::TextDisabled("…");
  }
  auto r = refused_.find(f.key);
  if (r != refused_.end()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, .45f, .4f, 1));
    ImGui::TextWrapped("%s", r->second.second.c_str());
    ImGui::PopStyleColor();
    if (r->second.second.find("reset") != std::string::npos) {
      if (ImGui::SmallButton("apply with reset")) apply(ctx, f.key, r->second.first, true);
      ImGui::SameLine();
      if (ImGui::SmallButton("branch")) branch(ctx, f.key, r->second.first);
      if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip(
            "keep the current run (saved under runs/, overlaid on the curves) and start a new "
            "one with this change");
      }
      ImGui::SameLine();
    }
    if (ImGui::SmallButton("dismiss")) refused_.erase(r);
  }
  ImGui::PopID();
}

void ControlsPanel::draw(AppContext& ctx) {
  if (ctx.watching.empty()) {
    draw_editable(ctx);
    return;
  }
  ImGui::TextWrapped(
      "Watching %s, read-only: curves from its metrics.csv, samples and fields "
      "from its latest checkpoint, refreshed as they change.",
      ctx.watching.c_str());
  ImGui::Separator();
  ImGui::BeginDisabled();
  draw_editable(ctx);
  ImGui::EndDisabled();
}

void ControlsPanel::draw_editable(AppContext& ctx) {
  poll(ctx);
  const Snapshot& s = *ctx.snap;
  if (preset_.empty()) preset_ = "(current)";
  ImGui::SetNextItemWidth(-60);
  if (ImGui::BeginCombo("preset", preset_.c_str())) {
    for (const auto& p : list_presets()) {
      if (ImGui::Selectable(p.name.c_str(), p.name == preset_)) load_preset(ctx, p.name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", p.description.c_str());
    }
    for (const auto& [name, config] : ctx.session_presets) {
      if (ImGui::Selectable(name.c_str(), name == preset_)) {
        ctx.trainer.replace_config(config);
        preset_ = name;
        ctx.notice = name + " loaded";
      }
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", config.data.path.c_str());
    }
    ImGui::EndCombo();
  }
  ImGui::SetNextItemWidth(-110);
  ImGui::InputText("##path", path_, sizeof path_);
  ImGui::SameLine();
  if (ImGui::Button("Load")) load_file(ctx, path_);
  ImGui::SameLine();
  if (ImGui::Button("Save")) save_file(ctx, path_);
  if (!s.config.description.empty()) ImGui::TextWrapped("%s", s.config.description.c_str());
  ImGui::Separator();

  const bool running = s.state == RunState::running;
  if (ImGui::Button(running ? "Pause (space)" : "Play (space)")) {
    running ? ctx.trainer.pause() : ctx.trainer.resume();
  }
  ImGui::SameLine();
  if (ImGui::Button("Reset (R)")) ctx.trainer.reset();
  ImGui::SetNextItemWidth(90);
  ImGui::InputInt("##stepn", &step_n_);
  step_n_ = step_n_ < 1 ? 1 : step_n_;
  ImGui::SameLine();
  if (ImGui::Button("Step N (S)")) ctx.trainer.step(step_n_);
  ImGui::Separator();

  const nlohmann::json cur = to_json(s.config);
  const std::vector<FieldInfo> fields = list_fields();
  for (const char* section : kSections) {
    const bool open_default = !std::strcmp(section, "method") || !std::strcmp(section, "optim") ||
                              !std::strcmp(section, "noise");
    if (!ImGui::CollapsingHeader(section, open_default ? ImGuiTreeNodeFlags_DefaultOpen : 0)) {
      continue;
    }
    const std::string prefix = std::string(section) + ".";
    for (const auto& f : fields) {
      if (f.key.rfind(prefix, 0) == 0) draw_field(ctx, f, cur);
    }
  }
}

}  // namespace scorelab::ui
