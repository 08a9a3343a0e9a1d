#pragma once
// Panel 6, curves: each network's loss, sliced W2 beside its noise floor, mode metrics for the
// mixtures, and training steps/s over time; log axes where the values span decades.
#include <cstdint>
#include <vector>

#include "app_context.h"

namespace scorelab::ui {

class CurvesPanel {
 public:
  void draw(AppContext& ctx);

 private:
  // steps/s sampled by the UI about once a second (the Trainer reports only the latest rate).
  std::vector<int64_t> rate_steps_;
  std::vector<double> rate_values_;
  double last_rate_sample_ = -1e9;
  bool log_losses_ = true;
};

}  // namespace scorelab::ui
