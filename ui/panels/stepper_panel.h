#pragma once
// Panel 5, the sampling stepper: annealed Langevin, plain Langevin (same NFE at σ_L) and the
// one-step generator side by side on shared axes. Recorded traces are stepped, played (at a
// chosen speed), paused and rewound; each column shows its noise level, step size, NFE and wall
// time, and the paths of a few particles. For mixtures, the mode weights the particles found are
// printed beside the true ones (the twomodes preset: annealed recovers 1:4, plain does not).
#include <future>
#include <optional>
#include <string>

#include "app_context.h"
#include "panels/panel.h"
#include "render/arrow_renderer.h"
#include "render/point_renderer.h"
#include "widgets/plot_canvas.h"

namespace scorelab::ui {

class StepperPanel final : public Panel {
 public:
  void draw(AppContext& ctx) override;
  // Starts new traces (the script's `langevin` command and the Run button).
  void run(AppContext& ctx);
  // True once both traces of the latest run are in.
  bool has_traces() const {
    return annealed_.has_value() && plain_.has_value() && !pending_annealed_.valid() &&
           !pending_plain_.valid();
  }
  void set_exact_score(bool exact) { exact_score_ = exact; }
  // Langevin traces received so far (the frame benchmark reports them).
  int traces_received() const { return traces_received_; }
  // Trace again as soon as the latest traces are in (the frame benchmark's worst case).
  void set_continuous(bool continuous) { continuous_ = continuous; }
  // "annealed Langevin: weights …" and "plain Langevin: …" at the traces' last frames.
  std::string summary(const Snapshot& snap) const;

 private:
  struct Column {
    PlotCanvas plot;
    PointRenderer points;
    LineRenderer paths;
    int uploaded_frame = -1;
    uint64_t content = 0;
    std::string weights;  // mode weights of the shown particles (mixtures)
  };
  void collect(AppContext& ctx);     // traces and one-step samples that came in
  void controls(const Snapshot& s);  // run, play, step, rewind, speed, particles, score
  void draw_column(AppContext& ctx, Column& col, const char* title, const LangevinTrace* trace,
                   const torch::Tensor& onestep, float width, float height);

  PlotView view_;
  uint64_t view_seen_ = 0;  // the version of ctx.data_view the view was last reset to
  Column columns_[3];
  PointRenderer real_;
  torch::Tensor real_uploaded_;
  std::future<LangevinTrace> pending_annealed_, pending_plain_;
  std::future<SampleResult> pending_onestep_;
  std::optional<LangevinTrace> annealed_, plain_;
  torch::Tensor onestep_;
  double onestep_seconds_ = 0;
  double position_ = 0;  // Langevin steps done, as a float for smooth playback
  bool playing_ = false;
  float speed_ = 200;     // Langevin steps per second of playback
  int particles_ = 1000;  // a trace of 1000 costs ~2 s of one core on the swiss roll
  bool exact_score_ = false;
  bool started_ = false;
  bool follow_training_ = true;  // re-run after each playback while training goes on
  bool continuous_ = false;
  bool run_requested_ = false;  // the Run button, this frame
  int traces_received_ = 0;
  int64_t traced_step_ = 0;  // the training step the shown traces were taken at
  std::string traced_data_;  // and the data set (a switch to images outdates them)
};

}  // namespace scorelab::ui
