#include "panels/stepper_panel.h"

#include <imgui.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common/error.h"
#include "data/gaussian_mixture.h"
#include "metrics/toy_metrics.h"
#include "widgets/xy.h"

namespace scorelab::ui {

namespace {

constexpr int64_t kPaths = 8;
constexpr int kPathFrames = 40;
constexpr int64_t kRecordEvery = 5;
constexpr int64_t kRefreshSteps = 1000;

// Index of the last recorded frame at or before `steps`.
int frame_at(const LangevinTrace& t, double steps) {
  auto it =
      std::upper_bound(t.frame_steps.begin(), t.frame_steps.end(), static_cast<int64_t>(steps));
  return std::max(0, static_cast<int>(it - t.frame_steps.begin()) - 1);
}

std::string weights_line(const torch::Tensor& x, const GaussianMixture* mixture) {
  if (!mixture || !x.defined()) return "";
  const ModeMetrics m = mode_metrics(x, *mixture);
  if (m.mode_weights.size() > 8) {
    return "modes " + std::to_string(m.modes_covered) + "/" + std::to_string(m.modes_total);
  }
  std::string s = "weights";
  char buf[32];
  for (size_t k = 0; k < m.mode_weights.size(); ++k) {
    std::snprintf(buf, sizeof buf, "%s%.2f", k ? " : " : " ", m.mode_weights[k]);
    s += buf;
  }
  s += "  (true";
  for (size_t k = 0; k < m.true_mode_weights.size(); ++k) {
    std::snprintf(buf, sizeof buf, "%s%.2f", k ? " : " : " ", m.true_mode_weights[k]);
    s += buf;
  }
  return s + ")";
}

}  // namespace

std::string StepperPanel::summary(const Snapshot& snap) const {
  std::string out;
  const char* score = exact_score_ || snap.data_score_model.empty() ? "exact score" : "network";
  for (const auto* t : {&annealed_, &plain_}) {
    if (!t->has_value() || (*t)->frames.empty()) continue;
    const std::string w = weights_line((*t)->frames.back(), snap.mixture.get());
    out += std::string(t == &annealed_ ? "annealed" : "plain") + " Langevin (" + score +
           "): " + (w.empty() ? "no mixture to weigh" : w) + "\n";
  }
  return out;
}

void StepperPanel::run(AppContext& ctx) {
  const Snapshot& s = *ctx.snap;
  const bool exact = exact_score_ || s.data_score_model.empty();
  LangevinRequest q;
  q.n = particles_;
  q.record_every = kRecordEvery;
  q.exact_score = exact;
  q.seed = 11;
  q.data = s.config.data.name;
  q.annealed = true;
  pending_annealed_ = ctx.trainer.langevin(q);
  q.annealed = false;
  pending_plain_ = ctx.trainer.langevin(q);
  if (s.has_generator) {
    SampleRequest o;
    o.sampler = "onestep";
    o.n = particles_;
    o.seed = 11;
    o.metrics = false;
    o.data = s.config.data.name;
    pending_onestep_ = ctx.trainer.sample(o);
  }
  started_ = true;  // the current traces play on until the new ones are in
  traced_step_ = s.step;
  traced_data_ = s.config.data.name;
}

void StepperPanel::draw_column(AppContext& ctx, Column& col, const char* title,
                               const LangevinTrace* trace, const torch::Tensor& onestep,
                               float width, float height) {
  const Snapshot& s = *ctx.snap;
  torch::Tensor x;
  ImGui::BeginGroup();
  ImGui::TextUnformatted(title);
  if (trace && !trace->frames.empty()) {
    const int f = frame_at(*trace, position_);
    x = trace->frames[f];
    const int64_t total = trace->frame_steps.back();
    const double done = static_cast<double>(trace->frame_steps[f]);
    ImGui::Text("σ %.3g  step %.2e", trace->frame_sigma[f], trace->frame_step_size[f]);
    ImGui::Text("NFE %lld / %lld  %.2f s", static_cast<long long>(trace->frame_steps[f]),
                static_cast<long long>(total), total > 0 ? trace->seconds * done / total : 0.0);
    if (f != col.uploaded_frame) {
      auto c = xy_of(x);
      col.points.upload(c.data_ptr<float>(), c.size(0));
      // Paths of the first few particles through the frames so far.
      std::vector<LineVertex> seg;
      const int64_t k = std::min<int64_t>(kPaths, x.size(0));
      // The last kPathFrames recorded frames only: early Langevin steps jump across the box.
      for (int j = std::max(1, f - kPathFrames + 1); j <= f; ++j) {
        auto a = xy_of(trace->frames[j - 1].narrow(0, 0, k));
        auto b = xy_of(trace->frames[j].narrow(0, 0, k));
        const float* pa = a.data_ptr<float>();
        const float* pb = b.data_ptr<float>();
        for (int64_t i = 0; i < k; ++i) {
          seg.push_back({pa[2 * i], pa[2 * i + 1], .9f, .9f, .3f, .7f});
          seg.push_back({pb[2 * i], pb[2 * i + 1], .9f, .9f, .3f, .7f});
        }
      }
      col.paths.upload(seg);
      col.uploaded_frame = f;
      ++col.content;
      col.weights = weights_line(x, s.mixture.get());
    }
  } else if (onestep.defined()) {
    x = onestep;
    ImGui::Text("z → x in one step");
    ImGui::Text("NFE 1  %.3f s", onestep_seconds_);
    if (col.uploaded_frame != 0) {
      auto c = xy_of(x);
      col.points.upload(c.data_ptr<float>(), c.size(0));
      col.uploaded_frame = 0;
      ++col.content;
      col.weights = weights_line(x, s.mixture.get());
    }
  } else {
    ImGui::Text(" ");
    ImGui::Text(" ");
  }
  col.plot.show(ctx, title, ImVec2(width, height), view_, col.content, [&](int w, int h) {
    real_.draw(ctx.shaders.points, view_, w, h, colors::real, 1.5f);
    col.points.draw(ctx.shaders.points, view_, w, h, colors::fake, 2.5f);
    col.paths.draw(ctx.shaders.lines, view_, w, h);
  });
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
  ImGui::TextWrapped("%s", col.weights.empty() ? " " : col.weights.c_str());
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
}

void StepperPanel::collect(AppContext& ctx) {
  const Snapshot& s = *ctx.snap;
  const bool waiting = pending_annealed_.valid() || pending_plain_.valid();
  try {
    if (is_ready(pending_annealed_)) {
      annealed_ = pending_annealed_.get();
      ++traces_received_;
      columns_[0].uploaded_frame = -1;
    }
    if (is_ready(pending_plain_)) {
      plain_ = pending_plain_.get();
      ++traces_received_;
      columns_[1].uploaded_frame = -1;
    }
  } catch (const StaleRequestError&) {
    started_ = false;  // asked before a switch of data set: trace the current one instead
  } catch (const std::exception& e) {
    if (s.config.data.name == traced_data_)
      ctx.report_error("sampling stepper: " + error_message(e));
  }
  if (waiting && !pending_annealed_.valid() && !pending_plain_.valid()) {
    position_ = 0;  // both new traces are in: play them from the start
    playing_ = true;
  }
  try {
    if (is_ready(pending_onestep_)) {
      SampleResult r = pending_onestep_.get();
      onestep_ = r.samples;
      onestep_seconds_ = r.seconds;
      columns_[2].uploaded_frame = -1;
    }
  } catch (const StaleRequestError&) {
    onestep_ = torch::Tensor();
    started_ = false;
  } catch (const std::exception& e) {
    // Asked before the run switched to a method without a generator: nothing to show.
    onestep_ = torch::Tensor();
    if (s.has_generator) ctx.report_error("sampling stepper: " + error_message(e));
  }
}

void StepperPanel::controls(const Snapshot& s) {
  const bool busy = pending_annealed_.valid() || pending_plain_.valid();
  if (ImGui::Button(busy ? "sampling…" : "Run")) run_requested_ = true;
  ImGui::SameLine();
  if (ImGui::Button(playing_ ? "Pause" : "Play")) playing_ = !playing_;
  ImGui::SameLine();
  if (ImGui::Button("Step")) {
    playing_ = false;
    position_ += kRecordEvery;
  }
  ImGui::SameLine();
  if (ImGui::Button("Rewind")) {
    playing_ = false;
    position_ = 0;
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(100);
  ImGui::SliderFloat("steps/s", &speed_, 10, 2000, "%.0f", ImGuiSliderFlags_Logarithmic);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(80);
  ImGui::SliderInt("particles", &particles_, 100, 10000);
  ImGui::Checkbox("follow training", &follow_training_);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("after each playback, new traces every %lld training steps",
                      static_cast<long long>(kRefreshSteps));
  }
  ImGui::SameLine();
  if (s.data_score_model.empty()) {
    ImGui::TextDisabled("exact score (%s learns none)", s.method.c_str());
  } else {
    ImGui::Checkbox("exact score", &exact_score_);
  }
}

void StepperPanel::draw(AppContext& ctx) {
  // A new data set: new traces once its model has trained a little.
  if (follow_data_view(ctx, view_, view_seen_) && !pending_annealed_.valid()) started_ = false;
  const Snapshot& s = *ctx.snap;
  collect(ctx);
  torch::Tensor real = s.real_reference;
  if (real.defined() && !real.is_same(real_uploaded_)) {
    auto c = xy_of(real);
    real_.upload(c.data_ptr<float>(), c.size(0));
    real_uploaded_ = real;
    for (auto& c : columns_) ++c.content;
  }
  if (!started_ && s.step > 0) run(ctx);  // a first trace once the model has trained a little
  // Live: once a playback has ended, new traces of the model as it is now, every kRefreshSteps
  // training steps while training runs.
  const bool idle = !pending_annealed_.valid() && !pending_plain_.valid() && !playing_;
  if (follow_training_ && idle && s.state == RunState::running &&
      s.step - traced_step_ >= kRefreshSteps) {
    run(ctx);
  } else if (continuous_ && started_ && !pending_annealed_.valid() && !pending_plain_.valid()) {
    run(ctx);
  }

  controls(s);
  if (run_requested_) {
    run_requested_ = false;
    run(ctx);
  }
  const int64_t total = annealed_ ? annealed_->frame_steps.back() : 0;
  if (playing_) position_ += speed_ * ctx.frame_ms / 1000.0;
  if (annealed_ && position_ > total) {
    position_ = static_cast<double>(total);
    playing_ = false;
  }
  float pos = static_cast<float>(position_);
  ImGui::SetNextItemWidth(-1);
  if (ImGui::SliderFloat("##pos", &pos, 0, static_cast<float>(std::max<int64_t>(total, 1)),
                         "Langevin step %.0f")) {
    position_ = pos;
    playing_ = false;
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float w = std::max(40.f, (avail.x - 16) / 3);
  const float h =
      std::max(40.f, std::min(w, avail.y - 3 * ImGui::GetTextLineHeightWithSpacing() - 8));
  draw_column(ctx, columns_[0], "annealed Langevin", annealed_ ? &*annealed_ : nullptr, {}, w, h);
  ImGui::SameLine();
  draw_column(ctx, columns_[1], "plain Langevin (σ_L)", plain_ ? &*plain_ : nullptr, {}, w, h);
  ImGui::SameLine();
  if (s.has_generator) {
    draw_column(ctx, columns_[2], "one-step generator", nullptr, onestep_, w, h);
  } else {
    ImGui::BeginGroup();
    ImGui::TextDisabled("one-step generator: %s has none", s.method.c_str());
    ImGui::EndGroup();
  }
}

}  // namespace scorelab::ui
