// The Samples panel's drawing brush: points land in the brush's disc, evenly along a stroke
// whatever the cursor's speed, the eraser removes exactly those within its radius, undo takes
// back a whole stroke.
#include <gtest/gtest.h>

#include <cmath>

#include "widgets/point_drawing.h"

using scorelab::ui::Brush;
using scorelab::ui::PointDrawing;

TEST(PointDrawing, StrokesSprayEvenlyWithinTheBrush) {
  const Brush b{0.1, 4};
  PointDrawing slow, fast;
  // The same segment from (0,0) to (2,0): in 200 small moves, or in one.
  slow.begin_stroke();
  for (int i = 0; i <= 200; ++i) slow.paint(0.01 * i, 0, b);
  slow.end_stroke();
  fast.stroke({{0, 0}, {2, 0}}, b);
  // A spray every half radius (0.05) over length 2: 40 steps + the first, 4 points each.
  EXPECT_EQ(fast.size(), 41 * 4);
  EXPECT_NEAR(static_cast<double>(slow.size()), static_cast<double>(fast.size()), 8);
  for (size_t i = 0; i < fast.xy().size(); i += 2) {
    EXPECT_GE(fast.xy()[i], -0.1 - 1e-6);
    EXPECT_LE(fast.xy()[i], 2.1 + 1e-6);
    EXPECT_LE(std::abs(fast.xy()[i + 1]), 0.1 + 1e-6);
  }
}

TEST(PointDrawing, EraseAndUndoWorkOnWholeStrokes) {
  PointDrawing d;
  d.stroke({{-1, 0}, {1, 0}}, Brush{0.05, 2});
  const int64_t n = d.size();
  d.stroke({{0, 1}, {0, 2}}, Brush{0.05, 2});
  const int64_t n2 = d.size();
  EXPECT_GT(n2, n);
  // Erase around the origin: only points within 0.3 of it go.
  d.begin_stroke();
  d.erase(0, 0, 0.3);
  d.end_stroke();
  for (size_t i = 0; i < d.xy().size(); i += 2) {
    EXPECT_GT(std::hypot(d.xy()[i], d.xy()[i + 1]), 0.3);
  }
  EXPECT_LT(d.size(), n2);
  d.undo();
  EXPECT_EQ(d.size(), n2);
  d.undo();
  EXPECT_EQ(d.size(), n);
  d.clear();
  EXPECT_EQ(d.size(), 0);
  d.undo();
  EXPECT_EQ(d.size(), n);
}
