#pragma once
// Panel 4, samples: real and generated points (tens of thousands), exact density contours for
// the mixtures, and optional trails showing how the generated points moved over the last
// refreshes (the one-step generator is sampled from the same z each time, so points correspond).
#include <deque>
#include <future>
#include <string>

#include "app_context.h"
#include "panels/panel.h"
#include "render/arrow_renderer.h"
#include "render/heatmap_renderer.h"
#include "render/point_renderer.h"
#include "widgets/plot_canvas.h"
#include "widgets/point_drawing.h"

namespace scorelab::ui {

class SamplesPanel final : public Panel {
 public:
  void draw(AppContext& ctx) override;
  const GlCanvas& canvas() const { return plot_.canvas(); }
  int64_t generated_count() const { return fake_.size(); }
  // A whole brush stroke along a polyline in data coordinates (the script's `stroke`); training
  // restarts on the drawing. The future answers when the new run is in place.
  std::future<void> stroke(AppContext& ctx, const std::vector<std::pair<double, double>>& line);
  // The generated points shown (every coordinate) as CSV, written atomically; throws IoError,
  // or ConfigError when there are none yet.
  void save_samples_csv(const std::string& path) const;

 private:
  void collect(AppContext& ctx);  // the latest answer: points and trails
  void request(AppContext& ctx);  // the next one, on the cadence
  void update_contours(const Snapshot& s);
  void drawing_controls(AppContext& ctx);
  void handle_drawing(AppContext& ctx);
  // The drawing becomes the run's data (saved as CSV under the cache folder, listed in the
  // preset list); fewer than 10 points only say so.
  std::future<void> train_on_drawing(AppContext& ctx);

  PlotView view_;
  uint64_t view_seen_ = 0;  // the version of ctx.data_view the view was last reset to
  PlotCanvas plot_;
  PointRenderer real_, fake_;
  LineRenderer trails_;
  HeatmapRenderer contours_;
  float contour_lo_ = 0, contour_hi_ = 1;
  std::string contour_key_;  // data set + view the contours were computed for
  torch::Tensor real_uploaded_;
  std::deque<torch::Tensor> history_;  // previous generated sets, newest last
  std::future<SampleResult> pending_;
  std::string requested_method_, requested_data_;
  Cadence cadence_{0.4};
  int64_t requested_step_ = -1;
  uint64_t content_ = 0;
  std::string sampler_;
  torch::Tensor shown_eval_;  // the evaluation samples shown (methods without a generator)
  torch::Tensor shown_;       // the generated points shown, every coordinate, CPU
  int64_t shown_step_ = -1;   // the step they were drawn at
  int n_ = 20000;
  float point_size_ = 2.5f;
  bool show_real_ = true, show_contours_ = true, show_trails_ = false;
  int trail_length_ = 6;

  PointDrawing drawing_;
  Brush brush_;
  bool draw_mode_ = false, stroking_ = false;
  PointRenderer drawn_;
  uint64_t drawn_uploaded_ = ~0ull;
  int drawings_ = 0;    // CSV files written (each stroke's state has its own)
  int drawing_id_ = 1;  // the preset list's "drawing N" the strokes update
  std::future<void> pending_train_;
  std::string last_drawing_csv_;
};

}  // namespace scorelab::ui
