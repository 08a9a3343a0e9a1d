#pragma once
// The desktop app: a window of panels over a Trainer that trains on its own thread. The UI thread
// only posts commands and draws the latest snapshot.
#include <string>

namespace scorelab::ui {

struct AppOptions {
  std::string preset = "swissroll-smt";  // opened at start, training at once
  std::string config_file;               // a JSON config instead of a preset
  std::string device;                    // overrides run.device when set
  std::string screenshot;                // write the window as PNG after `frames` frames, exit
  int frames = 0;                        // frames to render before the screenshot (or exit)
  std::string script;                    // commands to run (see app_script.h)
  int bench_frames = 0;                  // print frame-time and training-speed figures
  int width = 1600, height = 900;
};

// Runs the app until the window closes, the script quits or the frames are done. Returns the
// exit status: 0 fine, 1 a failed script or screenshot, 2 bad options, 3 no display.
int run_app(const AppOptions& options);

}  // namespace scorelab::ui
