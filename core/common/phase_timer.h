#pragma once
// Where a training step's time goes: sections (critic, generator, gan, optimizer, ema, other)
// within phases (pretraining, teacher, main), measured without disturbing the step. Each
// section boundary records a mark — a CUDA event on the GPU, the steady clock on the CPU — and
// the time between two marks belongs to the innermost open section, so nested sections are
// exclusive. Nothing is read back until totals(), which waits for the device once.
#include <torch/types.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace scorelab {

// Boundaries of sections on one device: mark() records one; intervals() waits for the device
// and returns the seconds between consecutive marks since the last call.
class PhaseMarks {
 public:
  virtual ~PhaseMarks() = default;
  virtual void mark() = 0;
  virtual std::vector<double> intervals() = 0;
};

// CUDA events when `device` is CUDA and this libtorch has CUDA, else the steady clock.
std::unique_ptr<PhaseMarks> make_phase_marks(torch::Device device);
// Whether marks on `device` are CUDA events.
bool phase_marks_are_events(torch::Device device);

class PhaseTimer {
 public:
  explicit PhaseTimer(torch::Device device);
  explicit PhaseTimer(std::unique_ptr<PhaseMarks> marks);

  void set_phase(const std::string& phase);
  void enter(const std::string& section);
  void leave();

  struct Total {
    double seconds = 0;
    int64_t count = 0;  // how many times the section was entered
  };
  // Seconds per (phase, section) since the last reset; waits for the device.
  std::map<std::pair<std::string, std::string>, Total> totals();
  void reset();

 private:
  void boundary();
  std::unique_ptr<PhaseMarks> marks_;
  std::string phase_ = "main";
  std::vector<std::string> open_;  // the section stack
  // The key each interval after the first mark belongs to; empty = outside every section.
  std::vector<std::pair<std::string, std::string>> labels_;
  bool started_ = false;
  std::map<std::pair<std::string, std::string>, Total> totals_;
};

// Enters `section` for its lifetime; does nothing without a timer.
class PhaseScope {
 public:
  PhaseScope(PhaseTimer* timer, const std::string& section) : timer_(timer) {
    if (timer_) timer_->enter(section);
  }
  ~PhaseScope() {
    if (timer_) timer_->leave();
  }
  PhaseScope(const PhaseScope&) = delete;
  PhaseScope& operator=(const PhaseScope&) = delete;

 private:
  PhaseTimer* timer_;
};

inline void set_phase(PhaseTimer* timer, const std::string& phase) {
  if (timer) timer->set_phase(phase);
}

}  // namespace scorelab
