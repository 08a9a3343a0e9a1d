#include "panels/samples_panel.h"

#include <imgui.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "common/error.h"
#include "data/gaussian_mixture.h"
#include "panels/xy.h"

namespace scorelab::ui {

namespace {
constexpr int64_t kTrailPoints = 400;

void upload_points(PointRenderer& r, const torch::Tensor& xy) {
  auto c = xy_of(xy);
  r.upload(c.data_ptr<float>(), c.size(0));
}
}  // namespace

void SamplesPanel::update_contours(const Snapshot& s) {
  float hx, hy;
  view_.half_extents(plot_.size().x, plot_.size().y, hx, hy);
  char key[160];
  std::snprintf(key, sizeof key, "%s %.4g %.4g %.4g %.4g", s.config.data.name.c_str(), view_.cx,
                view_.cy, hx, hy);
  if (key == contour_key_) return;
  contour_key_ = key;
  const GaussianMixture* mix = s.mixture.get();
  if (!mix) {
    contours_.clear();
    ++content_;
    return;
  }
  const int64_t n = 128;
  auto xs = torch::linspace(view_.cx - hx, view_.cx + hx, n, torch::kDouble);
  auto ys = torch::linspace(view_.cy - hy, view_.cy + hy, n, torch::kDouble);
  auto g = torch::meshgrid({ys, xs}, "ij");
  auto pts = torch::stack({g[1].flatten(), g[0].flatten()}, 1);
  auto lp = mix->log_prob(pts).to(torch::kFloat).contiguous();
  contour_hi_ = lp.max().item<float>();
  contour_lo_ = contour_hi_ - 12.f;  // iso-lines every 1.5 nats below the peak
  ++content_;
  contours_.upload(lp.data_ptr<float>(), n, n, view_.cx - hx, view_.cx + hx, view_.cy - hy,
                   view_.cy + hy);
}

void SamplesPanel::collect(AppContext& ctx) {
  const Snapshot& s = *ctx.snap;
  try {
    SampleResult r = pending_.get();
    if (history_.size() >= static_cast<size_t>(trail_length_) && !history_.empty()) {
      history_.pop_front();
    }
    history_.push_back(
        xy_of(r.samples.narrow(0, 0, std::min<int64_t>(kTrailPoints, r.samples.size(0)))));
    upload_points(fake_, r.samples);
    ++content_;
    if (show_trails_ && history_.size() > 1) {
      std::vector<LineVertex> seg;
      for (size_t k = 1; k < history_.size(); ++k) {
        auto a = history_[k - 1].contiguous(), b = history_[k].contiguous();
        const float* pa = a.data_ptr<float>();
        const float* pb = b.data_ptr<float>();
        const float alpha = 0.15f + 0.6f * k / history_.size();
        for (int64_t i = 0; i < std::min(a.size(0), b.size(0)); ++i) {
          seg.push_back({pa[2 * i], pa[2 * i + 1], 1.f, .8f, .4f, alpha});
          seg.push_back({pb[2 * i], pb[2 * i + 1], 1.f, .8f, .4f, alpha});
        }
      }
      trails_.upload(seg);
    }
  } catch (const StaleRequestError&) {
    cadence_.force = true;  // asked before a switch of data set: ask again
  } catch (const std::exception& e) {
    // A request made just before the run switched methods may not fit the new one: no error.
    if (s.method == requested_method_ && s.config.data.name == requested_data_)
      ctx.report_error("samples: " + error_message(e));
  }
}

void SamplesPanel::request(AppContext& ctx) {
  const Snapshot& s = *ctx.snap;
  // One-step samples are cheap: refresh often. Langevin costs 1000 evaluations per point: show
  // the training's own evaluation samples when there are some, else ask rarely.
  const bool onestep = s.has_generator;
  if (!onestep && s.eval_samples.defined()) {
    if (!s.eval_samples.is_same(shown_eval_)) {
      shown_eval_ = s.eval_samples;
      upload_points(fake_, s.eval_samples);
      sampler_ = s.eval_sampler + " (evaluation at step " + std::to_string(s.last_eval_step) + ")";
      ++content_;
    }
    return;
  }
  cadence_.period = onestep ? 0.4 : 10.0;
  if (!pending_.valid() && cadence_.due(ctx.now) && (cadence_.force || s.step != requested_step_) &&
      s.state != RunState::error) {
    SampleRequest q;
    q.sampler = onestep ? "onestep" : "annealed";
    q.n = onestep ? n_ : std::min(n_, 1000);
    q.seed = 7;  // the same z every time: trails follow the same points
    q.metrics = false;
    q.data = s.config.data.name;
    requested_data_ = q.data;
    sampler_ = q.sampler;
    requested_step_ = s.step;
    requested_method_ = s.method;
    pending_ = ctx.trainer.sample(q);
    cadence_.mark(ctx.now);
  }
}

void SamplesPanel::draw(AppContext& ctx) {
  if (follow_data_view(ctx, view_, view_seen_)) cadence_.force = true;
  const Snapshot& s = *ctx.snap;
  if (is_ready(pending_)) collect(ctx);
  torch::Tensor real = s.real_samples.defined() ? s.real_samples : s.real_reference;
  if (real.defined() && !real.is_same(real_uploaded_)) {
    upload_points(real_, real);
    real_uploaded_ = real;
    ++content_;
  }
  if (ImGui::Checkbox("real", &show_real_)) ++content_;
  ImGui::SameLine();
  if (ImGui::Checkbox("contours", &show_contours_)) ++content_;
  ImGui::SameLine();
  if (ImGui::Checkbox("trails", &show_trails_)) {
    history_.clear();
    ++content_;
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(80);
  if (ImGui::SliderInt("n", &n_, 1000, 50000)) cadence_.force = true;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(70);
  if (ImGui::SliderFloat("size", &point_size_, 1.f, 6.f, "%.1f")) ++content_;

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  plot_.show(ctx, "samples", ImVec2(avail.x, std::max(avail.y - 18, 40.f)), view_, content_,
             [&](int w, int h) {
               if (show_contours_ && !contours_.empty()) {
                 HeatmapStyle st;
                 st.palette = 2;
                 st.vmin = contour_lo_;
                 st.vmax = contour_hi_;
                 st.levels = 8;
                 contours_.draw(ctx.shaders.heatmap, view_, w, h, st);
               }
               if (show_real_)
                 real_.draw(ctx.shaders.points, view_, w, h, colors::real, point_size_);
               fake_.draw(ctx.shaders.points, view_, w, h, colors::fake, point_size_);
               if (show_trails_) trails_.draw(ctx.shaders.lines, view_, w, h);
             });
  if (show_contours_) update_contours(s);
  ImGui::TextDisabled("blue: real (%lld)  orange: %s (%lld)  at step %lld",
                      static_cast<long long>(real_.size()), sampler_.c_str(),
                      static_cast<long long>(fake_.size()), static_cast<long long>(s.step));

  request(ctx);
}

}  // namespace scorelab::ui
