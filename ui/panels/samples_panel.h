#pragma once
// Panel 4, samples: real and generated points (tens of thousands), exact density contours for
// the mixtures, and optional trails showing how the generated points moved over the last
// refreshes (the one-step generator is sampled from the same z each time, so points correspond).
#include <deque>
#include <future>
#include <string>

#include "app_context.h"
#include "panels/plot_canvas.h"
#include "render/arrow_renderer.h"
#include "render/heatmap_renderer.h"
#include "render/point_renderer.h"

namespace scorelab::ui {

class SamplesPanel {
 public:
  void draw(AppContext& ctx);
  const GlCanvas& canvas() const { return plot_.canvas(); }
  int64_t generated_count() const { return fake_.size(); }

 private:
  void collect(AppContext& ctx);  // the latest answer: points and trails
  void request(AppContext& ctx);  // the next one, on the cadence
  void update_contours(const Snapshot& s);

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
  int n_ = 20000;
  float point_size_ = 2.5f;
  bool show_real_ = true, show_contours_ = true, show_trails_ = false;
  int trail_length_ = 6;
};

}  // namespace scorelab::ui
