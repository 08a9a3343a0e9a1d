#pragma once
// Panel 3, the α-sweep: small multiples of the learned mixture score s(x; σ, α) for a row of α
// values (default 0, .25, .5, .75, 1), and the generator's update direction s(x; σ, α*) − s(x; σ,
// 0) at a chosen α* that can animate from 0 to 1.
#include <array>
#include <future>
#include <vector>

#include "app_context.h"
#include "panels/panel.h"
#include "widgets/field_layers.h"
#include "widgets/plot_canvas.h"

namespace scorelab::ui {

class AlphaSweepPanel final : public Panel {
 public:
  void draw(AppContext& ctx) override;

 private:
  static constexpr int kColumns = 5;
  void request(AppContext& ctx, const std::string& model);
  void collect(AppContext& ctx);   // takes the answers once all are in
  void controls(AppContext& ctx);  // σ, α*, animation, grid and the row's α values
  bool plots(AppContext& ctx);     // true when the user moved a view

  PlotView view_;
  uint64_t view_seen_ = 0;  // the version of ctx.data_view the view was last reset to
  std::array<float, kColumns> alphas_ = {0.f, .25f, .5f, .75f, 1.f};
  std::array<PlotCanvas, kColumns + 1> plots_;
  std::array<FieldLayers, kColumns> layers_;
  FieldLayers direction_;
  FieldResult direction_at_, direction_zero_;
  std::vector<std::future<FieldResult>> pending_;  // kColumns + 2 (α*, 0) when in flight
  Cadence cadence_{0.5};
  int64_t requested_step_ = -1;
  uint64_t uploads_ = 0;
  float log10_sigma_ = -0.7f;  // σ ≈ 0.2
  float alpha_star_ = 0.5f;
  bool animate_ = false;
  int grid_ = 16;
};

}  // namespace scorelab::ui
