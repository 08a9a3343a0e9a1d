#pragma once
// The desktop app: a window of panels over a Trainer that trains on its own thread. The UI thread
// only posts commands and draws the latest snapshot.
#include <string>
#include <vector>

namespace scorelab::ui {

struct AppOptions {
  std::string preset = "swissroll-smt";  // opened at start, training at once
  std::string config_file;               // a JSON config instead of a preset
  std::string device;                    // overrides run.device when set
  std::vector<std::string> settings;     // key=value applied to the preset or config
  std::string screenshot;                // write the window as PNG after `frames` frames, exit
  int frames = 0;                        // frames to render before the screenshot (or exit)
  std::string script;                    // commands to run (see app_script.h)
  std::string watch;                     // a run folder to follow read-only (run_watcher.h)
  int bench_frames = 0;                  // frames to measure (after 30 warm-up frames), then exit
  bool stepper_busy = false;             // the sampling stepper traces again as soon as it can
  int width = 1600, height = 900;
};

// What a run with bench_frames measured: the frame times and the training progress meanwhile.
struct AppRunReport {
  std::vector<double> frame_ms;  // frame to frame, the frame-rate cap's sleep included
  std::vector<double> work_ms;   // the frame's own work: building, drawing, swapping
  int64_t updates = 0;  // updates of the method's last network (a generator's, where it has one)
  double seconds = 0;   // wall time over which they were counted
  std::string method, network;
  int langevin_traces = 0;  // traces the sampling stepper received meanwhile
};

// Runs the app until the window closes, the script quits or the frames are done. Returns the
// exit status: 0 fine, 1 a failed script or screenshot, 2 bad options, 3 no display.
int run_app(const AppOptions& options, AppRunReport* report = nullptr);

}  // namespace scorelab::ui
