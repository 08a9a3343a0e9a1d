#pragma once
// A point set drawn by hand in the Samples panel: a brush that sprays points in a disc as it
// moves, an eraser, undo and clear. Plain data (no GL), so it is tested on its own.
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace scorelab::ui {

struct Brush {
  double radius = 0.15;  // world units
  int per_step = 3;      // points sprayed each half radius the brush moves
};

class PointDrawing {
 public:
  // A stroke: begin, then paint or erase at each cursor position, then end. Undo takes back a
  // whole stroke.
  void begin_stroke();
  void paint(double x, double y, const Brush& brush);
  void erase(double x, double y, double radius);
  void end_stroke();
  // A whole stroke along a polyline (the app script's `stroke`).
  void stroke(const std::vector<std::pair<double, double>>& polyline, const Brush& brush);

  void undo();
  void clear();
  bool can_undo() const { return !undo_.empty(); }

  const std::vector<float>& xy() const { return xy_; }  // x0, y0, x1, y1, …
  int64_t size() const { return static_cast<int64_t>(xy_.size() / 2); }
  uint64_t version() const { return version_; }  // bumped by every change

 private:
  void spray(double x, double y, const Brush& brush);
  std::vector<float> xy_;
  std::vector<std::vector<float>> undo_;  // the points before each stroke
  std::mt19937 rng_{12345};               // the same strokes give the same points
  bool in_stroke_ = false, have_last_ = false;
  double last_x_ = 0, last_y_ = 0, carried_ = 0;
  uint64_t version_ = 0;
};

}  // namespace scorelab::ui
