#pragma once
// Panel 2, the score field: the learned score as arrows on a grid over the exact density, for a
// chosen network, σ and α; the exact field (closed form for mixtures, the empirical-mixture score
// otherwise) as an overlay and |learned − exact| as a heat map; pan, zoom, hover readout.
#include <future>
#include <string>

#include "app_context.h"
#include "panels/panel.h"
#include "widgets/field_layers.h"
#include "widgets/plot_canvas.h"

namespace scorelab::ui {

class ScoreFieldPanel final : public Panel {
 public:
  void draw(AppContext& ctx) override;
  const GlCanvas& canvas() const { return plot_.canvas(); }
  bool has_field() const { return layers_.result.points.defined(); }

 private:
  void request(AppContext& ctx);
  void controls(const Snapshot& s);  // network, σ, α, layers and grid
  void hover_readout();

  PlotView view_;
  uint64_t view_seen_ = 0;  // the version of ctx.data_view the view was last reset to
  PlotCanvas plot_;
  FieldLayers layers_;
  std::future<FieldResult> pending_;
  Cadence cadence_{0.3};
  int64_t requested_step_ = -1;
  uint64_t uploads_ = 0;
  std::string model_;
  float log10_sigma_ = -1.0f;  // σ = 0.1
  float alpha_ = 1.0f;
  int grid_ = 32;
  bool show_exact_ = true, show_density_ = true, show_error_ = false;
};

}  // namespace scorelab::ui
