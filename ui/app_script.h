#pragma once
// Scripts drive the app without a mouse (tests, demos, reproducible screenshots). One command
// per line, '#' starts a comment:
//   preset NAME | load FILE           replace the run's config (and reset)
//   set KEY VALUE | set! KEY VALUE    change a setting live (set! also resets when it must)
//   play | pause | reset | step N     as the buttons; step waits until the N steps are done
//   wait SECONDS | frames N | until-step N
//   timeout SECONDS                   how long each later command may wait (default 180)
//   screenshot FILE.png | screenshot-panel PANEL FILE.png (PANEL: samples, score-field, …)
//   save FILE.ckpt
//   langevin | langevin-exact         run the sampling stepper (with the network's score, or
//                                     the data's closed form); prints each sampler's mode weights
//   drop PATH                         open a file or folder as if dropped on the window
//   stroke X,Y X,Y …                  a brush stroke in the Samples panel's drawing
//   branch KEY VALUE                  save and keep the live run, then set! KEY VALUE
//   open-run DIR                      list a run folder beside the live run, overlaid
//   overlay all|none|N…               which past runs the curves overlay (N: run numbers)
//   overlay-by step|time | overlay-metric NAME
//   print-overlay                     writes the comparison's legend, one "overlay: …" a line
//   save-samples FILE.csv             the Samples panel's generated points
//   expect KEY VALUE                  fails unless the Trainer's config holds VALUE at KEY
//   print KEY                         writes "KEY = value" to stdout
//   print-stats                       writes "stats: t=… frames=… step=… errors=… rss_mb=…"
//   quit
// A failing command stops the script with "FILE:LINE: why"; the app then exits with status 1.
#include <chrono>
#include <functional>
#include <future>
#include <string>
#include <vector>

#include "app_context.h"
#include "script_parser.h"

namespace scorelab::ui {

// What a script may ask of the app.
class ScriptHost {
 public:
  virtual ~ScriptHost() = default;
  virtual AppContext& context() = 0;
  // The window, or one panel (named as panel_names lists them), written at the end of this frame;
  // the future is ready then, holding the error when it could not be written.
  virtual std::future<void> screenshot(const std::string& path, const std::string& panel) = 0;
  virtual bool has_panel(const std::string& panel) const = 0;
  virtual std::string panel_names() const = 0;
  virtual void run_langevin(bool exact_score) = 0;
  virtual bool langevin_ready() const = 0;
  virtual std::string langevin_summary() const = 0;  // one line per sampler
  virtual void quit() = 0;
  // Opens a file or folder as if dropped on the window (dropped_file.h); throws when it opens
  // nothing, else the trainer's answer.
  virtual std::future<void> open_path(const std::string& path) = 0;
  // A brush stroke in the Samples panel's drawing (data coordinates); the future answers when
  // training has restarted on the drawing (invalid when it has too few points to).
  virtual std::future<void> stroke(const std::vector<std::pair<double, double>>& line) = 0;
  // The curves' comparison: metric ("" keeps it), by_time (-1 keeps it, 0 step, 1 time).
  virtual void overlay_view(const std::string& metric, int by_time) = 0;
  // Its legend as last drawn.
  virtual std::vector<std::string> overlay_labels() const = 0;
  // "stats: t=… frames=… step=… updates=… errors=… rss_mb=… state=…" (the soak test's probe).
  virtual std::string stats_line() const = 0;
  virtual void save_samples_csv(const std::string& path) = 0;
};

class ScriptRunner {
 public:
  ScriptRunner(std::vector<ScriptLine> lines, std::string source);
  // Runs commands until one has to wait for later frames. False once the script has ended (or
  // failed).
  bool tick(ScriptHost& host);
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  using Clock = std::chrono::steady_clock;
  // Starts a line; a command that waits (for the Trainer, frames, time) sets waiting_.
  void start(ScriptHost& host, const ScriptLine& l);
  // The command groups; each returns false for a command not its own.
  bool trainer_command(ScriptHost& host, const ScriptLine& l);
  bool timing_command(ScriptHost& host, const ScriptLine& l);
  bool output_command(ScriptHost& host, const ScriptLine& l);
  // Waits in later frames for the Trainer's answer; a refusal fails the line.
  void await(const ScriptLine& l, std::future<void> request);
  // Shows the past runs named (numbers, all or none) and hides the others.
  static void overlay(AppContext& ctx, const std::vector<std::string>& which);
  void fail(const ScriptLine& l, const std::string& why);

  std::vector<ScriptLine> lines_;
  std::string source_;
  size_t next_ = 0;
  std::function<bool()> waiting_;  // true when the running command is done
  Clock::time_point deadline_;
  double timeout_seconds_ = 180;  // how long one waiting command may take (`timeout`)
  std::string error_;
};

}  // namespace scorelab::ui
