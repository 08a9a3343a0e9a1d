#include "app.h"

// GLFW must not pull in the system GL header: glad provides GL.
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <glad/gl.h>
#include <imgui.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "app_context.h"
#include "app_script.h"
#include "app_window.h"
#include "common/atomic_file.h"
#include "common/clock.h"
#include "common/error.h"
#include "compare/run_history.h"
#include "dropped_file.h"
#include "panels/alpha_sweep_panel.h"
#include "panels/controls_panel.h"
#include "panels/curves_panel.h"
#include "panels/image_grid_panel.h"
#include "panels/panel.h"
#include "panels/samples_panel.h"
#include "panels/score_field_panel.h"
#include "panels/status_bar.h"
#include "panels/stepper_panel.h"
#include "render/screenshot.h"
#include "render/shaders.h"
#include "run_watcher.h"
#include "settings/presets.h"
#include "settings/settings.h"

namespace scorelab::ui {

namespace {

// This process's resident memory (MB), from /proc/self/statm; 0 where there is none.
double resident_mb() {
  long pages_total = 0, pages_resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

Config initial_config(const AppOptions& o) {
  if (!o.watch.empty()) {
    // The watched run's own config, once it has written one; its checkpoints replace it.
    if (!std::filesystem::is_directory(o.watch)) {
      throw ConfigError("--watch " + o.watch + ": no such folder");
    }
    const std::string written = o.watch + "/config.json";
    if (std::filesystem::exists(written)) return load_config_file(written);
  }
  Config c = o.config_file.empty() ? load_preset(o.preset) : load_config_file(o.config_file);
  if (!o.device.empty()) c = apply_setting(c, "run.device", o.device);
  if (!o.settings.empty()) c = apply_settings(c, o.settings);
  return c;
}

class App final : public ScriptHost {
 public:
  App(const AppOptions& o, AppWindow& window, Trainer& trainer, const Shaders& shaders)
      : options_(o), window_(window), ctx_{trainer, shaders, trainer.snapshot()} {
    for (const PanelInfo& info : panel_list()) panels_.push_back(info.make());
    stepper().set_continuous(o.stepper_busy);
    if (!o.watch.empty()) {
      watcher_.emplace(o.watch);
      ctx_.watching = o.watch;
    }
  }

  AppContext& context() override { return ctx_; }
  std::future<void> screenshot(const std::string& path, const std::string& panel) override {
    screenshot_path_ = path;
    screenshot_panel_ = panel;
    screenshot_done_.emplace();
    return screenshot_done_->get_future();
  }
  bool has_panel(const std::string& panel) const override { return placed_.count(panel) > 0; }
  std::string panel_names() const override {
    std::string out;
    for (const auto& [slug, rect] : placed_) out += (out.empty() ? "" : ", ") + slug;
    return out;
  }
  void run_langevin(bool exact_score) override {
    stepper().set_exact_score(exact_score);
    stepper().run(ctx_);
  }
  bool langevin_ready() const override { return find<StepperPanel>().has_traces(); }
  std::string langevin_summary() const override { return find<StepperPanel>().summary(*ctx_.snap); }
  void quit() override { quit_ = true; }

  std::future<void> stroke(const std::vector<std::pair<double, double>>& line) override {
    return find<SamplesPanel>().stroke(ctx_, line);
  }

  std::future<void> open_path(const std::string& path) override {
    const DropAction a = plan_drop(path, ctx_.snap->config);
    // The curves first: a folder whose metrics.csv does not read opens nothing.
    if (!a.run_folder.empty()) ctx_.runs.add(read_run_history(a.run_folder));
    std::future<void> done;
    if (a.kind == DropAction::Kind::checkpoint) {
      done = ctx_.trainer.load_checkpoint(a.path);
    } else if (a.kind == DropAction::Kind::config) {
      done = ctx_.trainer.replace_config(a.config);
    } else {
      std::promise<void> listed;
      listed.set_value();
      done = listed.get_future();
    }
    opened_notice_ = a.notice;
    return done;
  }

  void overlay_view(const std::string& metric, int by_time) override {
    if (!metric.empty()) find<CurvesPanel>().set_metric(metric);
    if (by_time >= 0) find<CurvesPanel>().set_by_time(by_time == 1);
  }
  std::vector<std::string> overlay_labels() const override {
    return find<CurvesPanel>().overlay_labels();
  }
  std::string stats_line() const override {
    const Snapshot& s = *ctx_.snap;
    int64_t updates = 0;
    for (const auto& r : s.rates) updates += r.updates;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "stats: t=%.1f frames=%lld step=%lld updates=%lld errors=%lld rss_mb=%.1f "
                  "state=%s",
                  ctx_.now, static_cast<long long>(frames_), static_cast<long long>(s.step),
                  static_cast<long long>(updates), static_cast<long long>(ctx_.errors_reported),
                  resident_mb(), to_string(s.state));
    return buf;
  }
  void save_samples_csv(const std::string& path) override {
    find<SamplesPanel>().save_samples_csv(path);
  }

  void set_script(std::vector<ScriptLine> lines, const std::string& source) {
    script_.emplace(std::move(lines), source);
  }

  // The main loop. Returns the exit status.
  int run() {
    const auto t0 = Clock::now();
    auto last = Clock::now();
    int frame = 0;
    int status = 0;
    frames_ = 0;
    while (!window_.should_close() && !quit_) {
      const auto frame_start = Clock::now();
      window_.begin_frame();
      ctx_.snap = ctx_.trainer.snapshot();
      ctx_.runs.observe(ctx_.snap, !watcher_);
      ctx_.poll_watched();
      ctx_.now = seconds_since(t0);
      if (watcher_) watcher_->poll(ctx_);
      ctx_.canvas_renders_left = 2;
      fit_data_view(ctx_);
      shortcuts();
      layout_and_draw();
      if (script_ && !script_->tick(*this)) {
        if (script_->failed()) {
          std::fprintf(stderr, "scorelab: %s\n", script_->error().c_str());
          status = 1;
        }
        script_.reset();
        quit_ = true;
      }
      window_.render();
      ++frame;
      ++frames_;
      if (options_.frames > 0 && frame >= options_.frames && !options_.screenshot.empty()) {
        screenshot_path_ = options_.screenshot;
        quit_ = true;
      } else if (options_.frames > 0 && frame >= options_.frames && !script_) {
        quit_ = true;
      }
      if (!screenshot_path_.empty()) {
        const std::string failed = write_screenshot(screenshot_path_, screenshot_panel_);
        if (!failed.empty() && quit_) status = 1;
        if (screenshot_done_) {
          if (failed.empty()) {
            screenshot_done_->set_value();
          } else {
            screenshot_done_->set_exception(std::make_exception_ptr(IoError(failed)));
          }
          screenshot_done_.reset();
        }
        screenshot_path_.clear();
        screenshot_panel_.clear();
      }
      window_.swap();
      // Without a working vsync (Xvfb, some drivers) cap the frame rate, leaving the CPU to
      // training and probes: 60 frames/s while the user works the window; otherwise only the
      // training moves, and it moves at run.snapshot_hz (20 by default): a frame more often
      // than that redraws what is already on screen, and under software GL that is a third of
      // a core.
      if (user_input()) last_input_ = Clock::now();
      const double idle_fps = std::clamp(ctx_.snap->config.run.snapshot_hz, 10.0, 30.0);
      const double fps = seconds_since(last_input_) < 1.0 ? 60 : idle_fps;
      const double spent = seconds_since(frame_start);
      work_ms_ = spent * 1000;
      if (spent < 1.0 / fps) {
        std::this_thread::sleep_for(std::chrono::duration<double>(1.0 / fps - spent));
      }
      ctx_.frame_ms = seconds_since(last) * 1000;
      last = Clock::now();
      if (options_.bench_frames > 0) bench_frame(frame);
    }
    return status;
  }

  const AppRunReport& report() const { return report_; }

 private:
  static bool user_input() {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.MouseDelta.x != 0 || io.MouseDelta.y != 0 || io.MouseWheel != 0) return true;
    if (!io.InputQueueCharacters.empty()) return true;
    for (bool down : io.MouseDown)
      if (down) return true;
    for (bool down : io.KeysDown)
      if (down) return true;
    return false;
  }

  // The listed panel of type P (panel_list() holds one of each).
  template <class P>
  P& find() const {
    for (const auto& p : panels_)
      if (auto* q = dynamic_cast<P*>(p.get())) return *q;
    throw std::logic_error("no such panel in panel_list()");
  }
  StepperPanel& stepper() { return find<StepperPanel>(); }

  // The window, or the rectangle of one panel in it. Returns the error ("" when written).
  std::string write_screenshot(const std::string& path, const std::string& panel) {
    int w, h;
    window_.framebuffer_size(w, h);
    try {
      std::vector<unsigned char> px = read_window_rgba(w, h);
      if (!panel.empty()) {
        const PanelRect& r = placed_.at(panel);
        const ImVec2 scale = ImGui::GetIO().DisplayFramebufferScale;
        const int iw = w, ih = h;
        w = static_cast<int>(r.w * scale.x);
        h = static_cast<int>(r.h * scale.y);
        px = crop_rgba(px, iw, ih, static_cast<int>(r.x * scale.x), static_cast<int>(r.y * scale.y),
                       w, h);
      }
      write_png_rgba(path, px, w, h);
      ctx_.notice = "screenshot " + path;
      std::printf("scorelab: wrote %s (%dx%d)\n", path.c_str(), w, h);
      return "";
    } catch (const std::exception& e) {
      ctx_.report_error(error_message(e));
      std::fprintf(stderr, "scorelab: %s\n", error_message(e).c_str());
      return error_message(e);
    }
  }

  // ImGui 1.86 indexes keys by the backend's codes: GLFW_KEY_*.
  void shortcuts() {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) return;
    const Snapshot& s = *ctx_.snap;
    const bool read_only = !ctx_.watching.empty();
    if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false) && !read_only) {
      s.state == RunState::running ? ctx_.trainer.pause() : ctx_.trainer.resume();
    }
    if (ImGui::IsKeyPressed(GLFW_KEY_S, false) && io.KeyCtrl) {
      const std::string path = "scorelab-step" + std::to_string(s.step) + ".ckpt";
      ctx_.watch(ctx_.trainer.save_checkpoint(path), "checkpoint saved to " + path,
                 "saving " + path + " failed (any earlier file there is unchanged): ");
    } else if (ImGui::IsKeyPressed(GLFW_KEY_S, false) && !read_only) {
      ctx_.trainer.step(find<ControlsPanel>().step_n());
    }
    if (ImGui::IsKeyPressed(GLFW_KEY_R, false) && !io.KeyCtrl && !read_only) ctx_.trainer.reset();
    if (ImGui::IsKeyPressed(GLFW_KEY_F12, false)) {
      screenshot_path_ = "scorelab-screenshot-" + std::to_string(s.step) + ".png";
    }
    for (const std::string& path : window_.take_dropped()) {
      try {
        pending_open_ = open_path(path);
        pending_open_path_ = path;
      } catch (const std::exception& e) {
        ctx_.report_error(error_message(e));
      }
    }
    if (is_ready(pending_open_)) {
      const std::string why = why_refused(pending_open_);
      if (why.empty()) {
        ctx_.notice = opened_notice_;
      } else {
        ctx_.report_error(pending_open_path_ + ": " + why + "\nThe current run goes on.");
      }
    }
  }

  // Fixed tiling recomputed when the window size changes; panels can be moved in between. A
  // panel in its tile draws no background of its own (the cleared window shows through): in
  // software GL a second full-screen layer costs ~10 ms a frame at 1600x900. A moved panel may
  // overlap another, so it gets its background back.
  bool begin_panel(const char* name, float x, float y, float w, float h, bool relayout,
                   ImGuiWindowFlags flags = ImGuiWindowFlags_NoCollapse) {
    const ImGuiCond cond = relayout ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
    ImGui::SetNextWindowPos(ImVec2(x, y), cond);
    ImGui::SetNextWindowSize(ImVec2(w, h), cond);
    bool& moved = moved_[name];
    if (relayout) moved = false;
    if (!moved) flags |= ImGuiWindowFlags_NoBackground;
    const bool open = ImGui::Begin(name, nullptr, flags);
    const ImVec2 p = ImGui::GetWindowPos(), s = ImGui::GetWindowSize();
    moved = p.x != x || p.y != y || s.x != w || s.y != h;
    current_panel_ = panel_slug(name);
    placed_[current_panel_] = {p.x, p.y, s.x, s.y};
    return open;
  }

  // Every panel's context menu (right click off its plots) exports it or the window as PNG.
  void end_panel() {
    if (ImGui::BeginPopupContextWindow(
            "##export", ImGuiPopupFlags_MouseButtonRight | ImGuiPopupFlags_NoOpenOverItems)) {
      const std::string step = std::to_string(ctx_.snap->step);
      if (ImGui::MenuItem("Save panel as PNG")) {
        screenshot("scorelab-" + current_panel_ + "-" + step + ".png", current_panel_);
      }
      if (ImGui::MenuItem("Save window as PNG", "F12")) {
        screenshot("scorelab-screenshot-" + step + ".png", "");
      }
      ImGui::EndPopup();
    }
    ImGui::End();
  }

  void layout_and_draw() {
    int fw, fh;
    window_.framebuffer_size(fw, fh);
    const ImVec2 d = ImGui::GetIO().DisplaySize;
    // Image runs swap the 2-D panels (fields, points, Langevin particles) for a large grid.
    const bool images = !ctx_.snap->image_shape.empty();
    const bool relayout = d.x != last_size_.x || d.y != last_size_.y || images != images_layout_;
    last_size_ = d;
    images_layout_ = images;
    placed_.clear();
    const float status_h = 28, left_w = std::min(380.f, d.x * 0.25f);
    const float W = d.x - left_w, H = d.y - status_h;
    // Fractions to pixels, whole pixels so neighbouring tiles meet.
    const auto px = [](float f, float extent) { return f >= 1 ? extent : std::floor(f * extent); };
    for (size_t i = 0; i < panels_.size(); ++i) {
      const PanelInfo& info = panel_list()[i];
      const std::optional<Tile>& tile = images ? info.images : info.points;
      if (!tile) continue;
      float x = 0, y = 0, w = left_w, h = H;
      if (!tile->column) {
        x = left_w + px(tile->x0, W);
        y = px(tile->y0, H);
        w = px(tile->x1, W) - px(tile->x0, W);
        h = px(tile->y1, H) - px(tile->y0, H);
      }
      if (begin_panel(info.title.c_str(), x, y, w, h, relayout)) panels_[i]->draw(ctx_);
      end_panel();
    }
    draw_status_and_errors(d, status_h);
  }

  void draw_status_and_errors(ImVec2 d, float status_h) {
    if (begin_panel("##status", 0, d.y - status_h, d.x, status_h, true,
                    ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                        ImGuiWindowFlags_NoSavedSettings)) {
      draw_status_bar(ctx_);
    }
    end_panel();
    error_modal();
  }

  // Trainer errors (a NaN, a failed load) and UI errors, one at a time; the app never exits on
  // them.
  void error_modal() {
    const Snapshot& s = *ctx_.snap;
    if (s.state == RunState::error && s.version != shown_error_version_ && s.error != last_error_) {
      ctx_.report_error("Training stopped: " + s.error);
      last_error_ = s.error;
    }
    shown_error_version_ = s.version;
    if (ctx_.errors.empty()) return;
    if (!ImGui::IsPopupOpen("Error")) ImGui::OpenPopup("Error");
    ImGui::SetNextWindowSize(ImVec2(520, 0), ImGuiCond_Appearing);
    if (ImGui::BeginPopupModal("Error", nullptr, ImGuiWindowFlags_NoSavedSettings)) {
      ImGui::TextWrapped("%s", ctx_.errors.front().c_str());
      ImGui::Separator();
      if (s.state == RunState::error) {
        if (ImGui::Button("Reset the run")) {
          ctx_.trainer.reset();
          close_error();
        }
        ImGui::SameLine();
      }
      if (ImGui::Button("OK")) close_error();
      ImGui::EndPopup();
    }
  }

  void close_error() {
    ctx_.errors.erase(ctx_.errors.begin());
    ImGui::CloseCurrentPopup();
  }

  const AppOptions& options_;
  AppWindow& window_;
  AppContext ctx_;
  std::vector<std::unique_ptr<Panel>> panels_;  // panel_list()'s, in its order
  bool images_layout_ = false;
  std::optional<ScriptRunner> script_;
  std::optional<RunWatcher> watcher_;
  std::string screenshot_path_;
  std::string screenshot_panel_;                       // empty: the whole window
  std::optional<std::promise<void>> screenshot_done_;  // a script's screenshot waits on it
  int64_t frames_ = 0;
  struct PanelRect {
    float x, y, w, h;
  };
  std::map<std::string, PanelRect> placed_;  // by slug, as laid out this frame
  std::string current_panel_;
  std::future<void> pending_open_;  // a dropped file's run, being built
  std::string pending_open_path_, opened_notice_;
  ImVec2 last_size_{0, 0};
  std::map<std::string, bool> moved_;  // panels the user moved or resized off their tile
  Clock::time_point last_input_{};
  uint64_t shown_error_version_ = 0;
  std::string last_error_;
  bool quit_ = false;
  AppRunReport report_;
  int64_t bench_updates0_ = 0;
  int bench_traces0_ = 0;
  Clock::time_point bench_t0_;
  double work_ms_ = 0;

  // Frame times and training progress after 30 start-up frames, then quits.
  void bench_frame(int frame) {
    const Snapshot& s = *ctx_.trainer.snapshot();
    const int64_t updates = s.rates.empty() ? 0 : s.rates.back().updates;
    if (frame == 30) {
      bench_updates0_ = updates;
      bench_traces0_ = find<StepperPanel>().traces_received();
      bench_t0_ = Clock::now();
    } else if (frame > 30) {
      report_.frame_ms.push_back(ctx_.frame_ms);
      report_.work_ms.push_back(work_ms_);
      report_.updates = updates - bench_updates0_;
      report_.seconds = seconds_since(bench_t0_);
      report_.method = s.method;
      report_.network = s.rates.empty() ? "" : s.rates.back().name;
      report_.langevin_traces = find<StepperPanel>().traces_received() - bench_traces0_;
    }
    if (frame >= options_.bench_frames + 30) quit_ = true;
  }
};

}  // namespace

int run_app(const AppOptions& options, AppRunReport* report) {
  Config config;
  std::vector<ScriptLine> script;
  try {
    config = initial_config(options);
    if (!options.script.empty())
      script = parse_script(read_file(options.script, int64_t{16} << 20), options.script);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scorelab: %s\n", error_message(e).c_str());
    return 1;
  }
  try {
    AppWindow window(options.width, options.height, "scorelab");
    const Shaders shaders = Shaders::build();
    Trainer trainer(config);
    if (options.watch.empty()) trainer.resume();
    App app(options, window, trainer, shaders);
    if (!options.script.empty()) app.set_script(std::move(script), options.script);
    const int status = app.run();
    if (report) *report = app.report();
    return status;
  } catch (const NoDisplayError& e) {
    std::fprintf(stderr, "scorelab: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scorelab: %s\n", error_message(e).c_str());
    return 1;
  }
}

}  // namespace scorelab::ui
