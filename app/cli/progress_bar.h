#pragma once
// A one-line progress display on stderr for long CLI work: redrawn in place on a terminal,
// printed as a plain line every few seconds otherwise (logs, CI).
#include <chrono>
#include <string>

namespace scorelab::cli {

class ProgressBar {
 public:
  // A silent bar (shown = false) draws nothing: ranks > 0 of a data-parallel run.
  explicit ProgressBar(bool shown = true);
  // fraction in [0, 1] (or < 0 when unknown); text follows the bar.
  void update(double fraction, const std::string& text);
  void finish();  // ends the line

 private:
  bool shown_;
  bool tty_;
  std::chrono::steady_clock::time_point last_;
  bool drawn_ = false;
};

std::string format_duration(double seconds);

}  // namespace scorelab::cli
