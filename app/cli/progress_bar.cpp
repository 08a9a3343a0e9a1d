#include "cli/progress_bar.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace scorelab::cli {

ProgressBar::ProgressBar(bool shown) : shown_(shown), tty_(isatty(fileno(stderr)) != 0), last_() {}

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600,
                  (static_cast<int>(s) % 3600) / 60);
  }
  return buf;
}

void ProgressBar::update(double fraction, const std::string& text) {
  if (!shown_) return;
  const auto now = std::chrono::steady_clock::now();
  const double gap = std::chrono::duration<double>(now - last_).count();
  if (gap < (tty_ ? 0.1 : 5.0)) return;
  last_ = now;
  std::string bar;
  if (fraction >= 0) {
    const int width = 24, filled = static_cast<int>(std::round(std::min(fraction, 1.0) * width));
    bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
  }
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", bar.c_str(), text.c_str());
  } else {
    std::fprintf(stderr, "%s%s\n", bar.c_str(), text.c_str());
  }
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (tty_ && drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

}  // namespace scorelab::cli
