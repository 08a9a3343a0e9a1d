#include "widgets/point_drawing.h"

#include <cmath>

namespace scorelab::ui {

void PointDrawing::begin_stroke() {
  undo_.push_back(xy_);
  if (undo_.size() > 100) undo_.erase(undo_.begin());
  in_stroke_ = true;
  have_last_ = false;
  carried_ = 0;
}

void PointDrawing::spray(double x, double y, const Brush& brush) {
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < brush.per_step; ++i) {
    // Uniform in the disc: radius ∝ √u.
    const double r = brush.radius * std::sqrt(u(rng_)), a = 2 * M_PI * u(rng_);
    xy_.push_back(static_cast<float>(x + r * std::cos(a)));
    xy_.push_back(static_cast<float>(y + r * std::sin(a)));
  }
  ++version_;
}

void PointDrawing::paint(double x, double y, const Brush& brush) {
  if (!in_stroke_) begin_stroke();
  if (!have_last_) {
    spray(x, y, brush);
    last_x_ = x, last_y_ = y, have_last_ = true;
    return;
  }
  // Spray every half radius along the path, so a fast and a slow stroke give the same density.
  const double spacing = std::max(1e-9, 0.5 * brush.radius);
  const double len = std::hypot(x - last_x_, y - last_y_);
  double t = spacing - carried_;
  for (; t <= len + 1e-9 * spacing; t += spacing) {  // the end point counts despite rounding
    spray(last_x_ + (x - last_x_) * t / len, last_y_ + (y - last_y_) * t / len, brush);
  }
  carried_ = len - (t - spacing);
  last_x_ = x, last_y_ = y;
}

void PointDrawing::erase(double x, double y, double radius) {
  if (!in_stroke_) begin_stroke();
  std::vector<float> kept;
  kept.reserve(xy_.size());
  for (size_t i = 0; i + 1 < xy_.size(); i += 2) {
    if (std::hypot(xy_[i] - x, xy_[i + 1] - y) > radius) {
      kept.push_back(xy_[i]);
      kept.push_back(xy_[i + 1]);
    }
  }
  if (kept.size() != xy_.size()) {
    xy_.swap(kept);
    ++version_;
  }
}

void PointDrawing::end_stroke() {
  in_stroke_ = false;
  have_last_ = false;
}

void PointDrawing::stroke(const std::vector<std::pair<double, double>>& polyline,
                          const Brush& brush) {
  begin_stroke();
  for (const auto& [x, y] : polyline) paint(x, y, brush);
  end_stroke();
}

void PointDrawing::undo() {
  if (undo_.empty()) return;
  xy_ = std::move(undo_.back());
  undo_.pop_back();
  ++version_;
}

void PointDrawing::clear() {
  if (xy_.empty()) return;
  undo_.push_back(xy_);
  xy_.clear();
  ++version_;
}

}  // namespace scorelab::ui
