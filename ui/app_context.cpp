#include "app_context.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

#include "common/error.h"
#include "widgets/xy.h"

namespace scorelab::ui {

void fit_data_view(AppContext& ctx) {
  const Snapshot& s = *ctx.snap;
  if (!s.real_reference.defined() || s.real_reference.dim() != 2) return;
  const torch::Tensor x = xy_of(s.real_reference);
  if (s.config.data.name == ctx.data_view_name || x.size(0) < 2 || x.size(1) != 2) {
    return;
  }
  // The box holding 99.8% of the points (a stray outlier should not shrink the data), plus a
  // margin of a fifth.
  auto d = x.to(torch::kDouble);
  auto lo = std::get<0>(d.kthvalue(std::max<int64_t>(1, d.size(0) / 1000), 0));
  auto hi = std::get<0>(d.kthvalue(d.size(0) - d.size(0) / 1000, 0));
  const double x0 = lo[0].item<double>(), x1 = hi[0].item<double>();
  const double y0 = lo[1].item<double>(), y1 = hi[1].item<double>();
  ctx.data_view.cx = 0.5 * (x0 + x1);
  ctx.data_view.cy = 0.5 * (y0 + y1);
  ctx.data_view.half = std::max(0.1, 0.6 * std::max(x1 - x0, y1 - y0));
  ctx.data_view_name = s.config.data.name;
  ++ctx.data_view_version;
}

bool follow_data_view(const AppContext& ctx, PlotView& view, uint64_t& seen) {
  if (seen == ctx.data_view_version) return false;
  seen = ctx.data_view_version;
  view = ctx.data_view;
  return true;
}

void AppContext::watch(std::future<void> work, std::string done, std::string failed) {
  watched.push_back({std::move(work), std::move(done), std::move(failed)});
}

void AppContext::poll_watched() {
  for (auto it = watched.begin(); it != watched.end();) {
    if (!is_ready(it->work)) {
      ++it;
      continue;
    }
    const std::string why = why_refused(it->work);
    if (why.empty()) {
      notice = it->done;
    } else {
      report_error(it->failed + why);
    }
    it = watched.erase(it);
  }
}

bool sigma_slider(float& log10_sigma) {
  ImGui::SetNextItemWidth(120);
  const bool moved =
      ImGui::SliderFloat("##sigma", &log10_sigma, -2.0f, static_cast<float>(std::log10(5.0)), "");
  ImGui::SameLine();
  ImGui::Text("σ %.3g", std::pow(10.0, log10_sigma));
  return moved;
}

}  // namespace scorelab::ui
