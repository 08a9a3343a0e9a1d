#include "panels/samples_panel.h"

#include <imgui.h>
#include <torch/torch.h>

#include <GLFW/glfw3.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/atomic_file.h"
#include "common/cache_dir.h"
#include "common/error.h"
#include "data/gaussian_mixture.h"
#include "data/point_file.h"
#include "dropped_file.h"
#include "widgets/xy.h"

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
    shown_ = r.samples.to(torch::kCPU);
    shown_step_ = requested_step_;
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
      shown_ = s.eval_samples;
      shown_step_ = s.last_eval_step;
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

void SamplesPanel::save_samples_csv(const std::string& path) const {
  if (!shown_.defined() || shown_.size(0) == 0) {
    throw ConfigError("no generated samples yet: wait until the panel shows some");
  }
  write_points_csv(path, shown_);
}

std::future<void> SamplesPanel::train_on_drawing(AppContext& ctx) {
  if (drawing_.size() < kMinPoints) {
    ctx.notice = "the drawing has " + std::to_string(drawing_.size()) + " points; draw at least " +
                 std::to_string(kMinPoints) + " to train on them";
    return {};
  }
  const std::string dir = cache_dir() + "/drawings";
  make_dirs(dir);
  const std::string path =
      dir + "/drawing-" + std::to_string(::getpid()) + "-" + std::to_string(++drawings_) + ".csv";
  write_points_csv(path, torch::from_blob(const_cast<float*>(drawing_.xy().data()),
                                          {drawing_.size(), 2}, torch::kFloat));
  last_drawing_csv_ = path;
  const DropAction a = plan_drop(path, ctx.snap->config);
  // One entry per drawing (strokes until a clear), holding its latest state.
  const std::string name = "drawing " + std::to_string(drawing_id_);
  auto it = std::find_if(ctx.session_presets.begin(), ctx.session_presets.end(),
                         [&](const auto& e) { return e.first == name; });
  if (it == ctx.session_presets.end()) {
    ctx.session_presets.emplace_back(name, a.config);
  } else {
    it->second = a.config;
  }
  return ctx.trainer.replace_config(a.config);
}

std::future<void> SamplesPanel::stroke(AppContext& ctx,
                                       const std::vector<std::pair<double, double>>& line) {
  draw_mode_ = true;
  drawing_.stroke(line, brush_);
  return train_on_drawing(ctx);
}

void SamplesPanel::drawing_controls(AppContext& ctx) {
  ImGui::SetNextItemWidth(70);
  float r = static_cast<float>(brush_.radius);
  if (ImGui::SliderFloat("radius", &r, 0.01f, 1.f, "%.2f")) brush_.radius = r;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(60);
  ImGui::SliderInt("points", &brush_.per_step, 1, 20);
  ImGui::SameLine();
  ImGui::BeginDisabled(!drawing_.can_undo());
  if (ImGui::SmallButton("undo") ||
      (ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_Z, false) &&
       !ImGui::GetIO().WantTextInput)) {
    drawing_.undo();
    pending_train_ = train_on_drawing(ctx);
  }
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::SmallButton("clear")) {
    drawing_.clear();
    ++drawing_id_;  // the next strokes make a new entry in the preset list
    ctx.notice = "drawing cleared; the run goes on with its data";
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("save CSV")) {
    const std::string path = "scorelab-drawing-" + std::to_string(drawings_) + ".csv";
    try {
      write_points_csv(path, torch::from_blob(const_cast<float*>(drawing_.xy().data()),
                                              {drawing_.size(), 2}, torch::kFloat));
      ctx.notice = "drawing saved to " + path;
    } catch (const std::exception& e) {
      ctx.report_error("saving " + path + " failed: " + error_message(e));
    }
  }
}

void SamplesPanel::handle_drawing(AppContext& ctx) {
  if (is_ready(pending_train_)) {
    const std::string why = why_refused(pending_train_);
    if (why.empty()) {
      ctx.notice = "training on the drawing (" + std::to_string(drawing_.size()) + " points)";
    } else {
      ctx.report_error("drawing: " + why + "\nThe current run goes on.");
    }
  }
  if (!draw_mode_) return;
  const ImGuiIO& io = ImGui::GetIO();
  if (plot_.hovered() && (ImGui::IsMouseDown(ImGuiMouseButton_Left))) {
    double x, y;
    view_.to_world(io.MousePos, plot_.origin(), plot_.size(), x, y);
    if (io.KeyShift) {
      drawing_.erase(x, y, brush_.radius);
    } else {
      drawing_.paint(x, y, brush_);
    }
    stroking_ = true;
  }
  if (stroking_ && !ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
    drawing_.end_stroke();
    stroking_ = false;
    pending_train_ = train_on_drawing(ctx);
  }
  if (drawing_.version() != drawn_uploaded_) {
    drawn_.upload(drawing_.xy().data(), drawing_.size());
    drawn_uploaded_ = drawing_.version();
    ++content_;
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
  ImGui::SameLine();
  if (ImGui::Checkbox("draw", &draw_mode_)) ++content_;
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(
        "draw your own data: drag to spray points, shift-drag to erase; each "
        "stroke restarts training on the drawing");
  }
  if (draw_mode_) drawing_controls(ctx);

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  plot_.show(
      ctx, "samples", ImVec2(avail.x, std::max(avail.y - 18, 40.f)), view_, content_,
      [&](int w, int h) {
        if (show_contours_ && !contours_.empty()) {
          HeatmapStyle st;
          st.palette = 2;
          st.vmin = contour_lo_;
          st.vmax = contour_hi_;
          st.levels = 8;
          contours_.draw(ctx.shaders.heatmap, view_, w, h, st);
        }
        if (show_real_) real_.draw(ctx.shaders.points, view_, w, h, colors::real, point_size_);
        fake_.draw(ctx.shaders.points, view_, w, h, colors::fake, point_size_);
        if (show_trails_) trails_.draw(ctx.shaders.lines, view_, w, h);
        if (draw_mode_)
          drawn_.draw(ctx.shaders.points, view_, w, h, colors::drawn, point_size_ + 1);
      },
      true, !draw_mode_,
      [&] {
        if (ImGui::MenuItem("Save samples as CSV")) {
          const std::string path = "scorelab-samples-step" + std::to_string(shown_step_) + ".csv";
          try {
            save_samples_csv(path);
            ctx.notice = std::to_string(shown_.size(0)) + " samples saved to " + path;
          } catch (const std::exception& e) {
            ctx.report_error("saving samples: " + error_message(e));
          }
        }
      });
  handle_drawing(ctx);
  if (show_contours_) update_contours(s);
  if (draw_mode_) {
    ImGui::TextDisabled("yellow: your drawing (%lld points)  orange: %s  at step %lld",
                        static_cast<long long>(drawing_.size()), sampler_.c_str(),
                        static_cast<long long>(s.step));
  } else if (!s.data_notice.empty()) {
    ImGui::TextDisabled("%s", s.data_notice.c_str());
  } else {
    ImGui::TextDisabled("blue: real (%lld)  orange: %s (%lld)  at step %lld",
                        static_cast<long long>(real_.size()), sampler_.c_str(),
                        static_cast<long long>(fake_.size()), static_cast<long long>(s.step));
  }

  request(ctx);
}

}  // namespace scorelab::ui
