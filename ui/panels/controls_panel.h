#pragma once
// Panel 1, controls: preset (load, save as JSON, load a JSON file), play/pause, step N, reset,
// seed, device, and every setting of the config grouped by section (from the schema, so nothing
// is left out): learning rates, batch, score steps, α sampler, noise, loss weights, … A change
// is posted to the Trainer and applies at its next step; where it needs a reset the control says
// so and offers "apply with reset" or "branch" (keep the current run beside the new one).
#include <future>
#include <map>
#include <string>

#include "app_context.h"
#include "panels/panel.h"
#include "settings/settings.h"

namespace scorelab::ui {

class ControlsPanel final : public Panel {
 public:
  // Watching a run folder (ctx.watching), the controls show but are read-only.
  void draw(AppContext& ctx) override;
  // Loads a preset by name or a JSON file by path; errors go to the modal, the run is kept.
  void load_preset(AppContext& ctx, const std::string& name);
  void load_file(AppContext& ctx, const std::string& path);
  void save_file(AppContext& ctx, const std::string& path);
  int step_n() const { return step_n_; }

 private:
  struct Pending {
    std::future<void> result;
    std::string value;
  };
  void apply(AppContext& ctx, const std::string& key, const std::string& value,
             bool allow_reset = false);
  // Keeps the live run in the run list (saved under runs/), then applies key=value with reset.
  void branch(AppContext& ctx, const std::string& key, const std::string& value);
  void draw_field(AppContext& ctx, const FieldInfo& f, const nlohmann::json& current);
  void draw_editable(AppContext& ctx);
  void poll(AppContext& ctx);

  std::map<std::string, Pending> pending_;
  std::map<std::string, std::pair<std::string, std::string>> refused_;  // key → (value, why)
  std::map<std::string, std::string> text_edits_;                       // text fields being edited
  std::string preset_;
  char path_[256] = "scorelab-config.json";
  int step_n_ = 100;
};

}  // namespace scorelab::ui
