#pragma once
// What every panel sees: the Trainer to post commands to, the snapshot of this frame, the GL
// programs, and a place to report errors (shown in a modal) and notices (the status bar).
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "compare/run_archive.h"
#include "render/plot_view.h"
#include "render/shaders.h"
#include "train/snapshot.h"
#include "train/trainer.h"

namespace scorelab::ui {

struct AppContext {
  Trainer& trainer;
  const Shaders& shaders;
  std::shared_ptr<const Snapshot> snap;  // refreshed once per frame, never null
  double frame_ms = 0;                   // the previous frame's time
  double now = 0;                        // seconds since the app started
  std::vector<std::string> errors;       // shown one at a time in a modal
  std::string notice;                    // the latest notice, shown in the status bar
  // Canvas re-renders still allowed this frame. Software GL pays for every pixel, so when new
  // data arrives for many plots at once they are redrawn over a few frames, not in one long one.
  int canvas_renders_left = 2;
  // The view that frames the current data set; panels take it when its version moves on (a new
  // data set), and keep their own pan and zoom otherwise.
  PlotView data_view;
  uint64_t data_view_version = 0;
  std::string data_view_name;  // the data set it frames

  // Runs made in this session (drawings) that the preset list offers until the app closes.
  std::vector<std::pair<std::string, Config>> session_presets;
  // Every run since the app started, and run folders opened, for the curves' overlay.
  RunArchive runs;
  // The run folder followed with --watch ("" = none): training controls are read-only then.
  std::string watching;

  void report_error(const std::string& message) {
    errors.push_back(message);
    ++errors_reported;
  }
  int64_t errors_reported = 0;  // since the app started (the soak test reads it)

  // Background work whose end the user hears of: `done` as the notice, or an error that starts
  // with `failed` and the reason. Polled once a frame.
  void watch(std::future<void> work, std::string done, std::string failed);
  void poll_watched();
  struct Watched {
    std::future<void> work;
    std::string done, failed;
  };
  std::vector<Watched> watched;
};

// True when the future holds a value (never blocks).
template <class T>
bool is_ready(const std::future<T>& f) {
  return f.valid() && f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

// A panel's request cadence: due when `period` seconds passed since the last request, or when
// forced (a setting changed), and no request is in flight.
struct Cadence {
  double period = 0.25;
  double last = -1e9;
  bool force = true;
  bool due(double now) const { return force || now - last >= period; }
  void mark(double now) {
    last = now;
    force = false;
  }
};

// Re-frames ctx.data_view when the snapshot's data set changed (2-D data only).
void fit_data_view(AppContext& ctx);
// Copies ctx.data_view into `view` when the panel has not seen its version; true when it did.
bool follow_data_view(const AppContext& ctx, PlotView& view, uint64_t& seen);

// A log-scale σ slider over [0.01, 5] with the value printed beside it; true when it moved.
bool sigma_slider(float& log10_sigma);

// A colour per role, shared by all panels.
namespace colors {
inline constexpr float real[4] = {0.30f, 0.55f, 1.00f, 0.55f};
inline constexpr float fake[4] = {1.00f, 0.55f, 0.15f, 0.55f};
inline constexpr float drawn[4] = {0.95f, 0.95f, 0.35f, 0.9f};
inline constexpr float learned[4] = {1.00f, 1.00f, 1.00f, 0.85f};
inline constexpr float exact[4] = {0.35f, 1.00f, 0.45f, 0.75f};
inline constexpr float background[4] = {0.07f, 0.07f, 0.09f, 1.00f};
}  // namespace colors

}  // namespace scorelab::ui
