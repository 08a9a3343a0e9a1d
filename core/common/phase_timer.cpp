#include "common/phase_timer.h"

#include <deque>

#include "common/clock.h"

#if !defined(SCORELAB_NO_CUDA_GRAPHS) && __has_include(<ATen/cuda/CUDAEvent.h>) && \
    __has_include(<cuda_runtime_api.h>)
#include <ATen/cuda/CUDAEvent.h>
#define SCORELAB_CUDA_EVENTS 1
#else
#define SCORELAB_CUDA_EVENTS 0
#endif

namespace scorelab {

namespace {

class ClockMarks : public PhaseMarks {
 public:
  void mark() override { marks_.push_back(Clock::now()); }
  std::vector<double> intervals() override {
    std::vector<double> out;
    for (size_t i = 1; i < marks_.size(); ++i)
      out.push_back(std::chrono::duration<double>(marks_[i] - marks_[i - 1]).count());
    if (!marks_.empty()) marks_.erase(marks_.begin(), marks_.end() - 1);
    return out;
  }

 private:
  std::vector<Clock::time_point> marks_;
};

#if SCORELAB_CUDA_EVENTS
class CudaEventMarks : public PhaseMarks {
 public:
  void mark() override {
    events_.emplace_back(cudaEventDefault);  // timing on (the default flags disable it)
    events_.back().record();
  }
  std::vector<double> intervals() override {
    std::vector<double> out;
    if (events_.empty()) return out;
    events_.back().synchronize();
    for (size_t i = 1; i < events_.size(); ++i)
      out.push_back(1e-3 * static_cast<double>(events_[i - 1].elapsed_time(events_[i])));
    while (events_.size() > 1) events_.pop_front();
    return out;
  }

 private:
  std::deque<at::cuda::CUDAEvent> events_;
};
#endif

}  // namespace

bool phase_marks_are_events(torch::Device device) {
  return SCORELAB_CUDA_EVENTS && device.is_cuda();
}

std::unique_ptr<PhaseMarks> make_phase_marks(torch::Device device) {
#if SCORELAB_CUDA_EVENTS
  if (device.is_cuda()) return std::make_unique<CudaEventMarks>();
#endif
  (void)device;
  return std::make_unique<ClockMarks>();
}

PhaseTimer::PhaseTimer(torch::Device device) : marks_(make_phase_marks(device)) {}
PhaseTimer::PhaseTimer(std::unique_ptr<PhaseMarks> marks) : marks_(std::move(marks)) {}

void PhaseTimer::boundary() {
  // The interval ending here belongs to the section open until now.
  if (started_) {
    labels_.emplace_back(open_.empty() ? std::string() : phase_,
                         open_.empty() ? std::string() : open_.back());
  }
  started_ = true;
  marks_->mark();
}

void PhaseTimer::set_phase(const std::string& phase) {
  if (phase == phase_) return;
  if (!open_.empty()) boundary();
  phase_ = phase;
}

void PhaseTimer::enter(const std::string& section) {
  boundary();
  open_.push_back(section);
  ++totals_[{phase_, section}].count;
}

void PhaseTimer::leave() {
  if (open_.empty()) return;
  boundary();
  open_.pop_back();
}

std::map<std::pair<std::string, std::string>, PhaseTimer::Total> PhaseTimer::totals() {
  const auto seconds = marks_->intervals();
  for (size_t i = 0; i < seconds.size() && i < labels_.size(); ++i) {
    if (!labels_[i].second.empty()) totals_[labels_[i]].seconds += seconds[i];
  }
  labels_.clear();
  return totals_;
}

void PhaseTimer::reset() {
  totals();
  totals_.clear();
}

}  // namespace scorelab
