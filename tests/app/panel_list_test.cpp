// The app's panels are one list: each has a title whose slug scripts use, and in each layout
// (runs on points, runs on images) the tiles of the area right of the controls column lie inside
// it, do not overlap, and cover it whole.
#include <gtest/gtest.h>

#include <set>

#include "panels/panel.h"

using namespace scorelab::ui;

namespace {

double area(const Tile& t) {
  return static_cast<double>(t.x1 - t.x0) * static_cast<double>(t.y1 - t.y0);
}

bool overlap(const Tile& a, const Tile& b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

void check_layout(bool images) {
  std::vector<Tile> tiles;
  int columns = 0;
  for (const PanelInfo& p : panel_list()) {
    const std::optional<Tile>& t = images ? p.images : p.points;
    if (!t) continue;
    if (t->column) {
      ++columns;
      continue;
    }
    EXPECT_TRUE(0 <= t->x0 && t->x0 < t->x1 && t->x1 <= 1) << p.title;
    EXPECT_TRUE(0 <= t->y0 && t->y0 < t->y1 && t->y1 <= 1) << p.title;
    for (const Tile& other : tiles) EXPECT_FALSE(overlap(*t, other)) << p.title;
    tiles.push_back(*t);
  }
  EXPECT_EQ(columns, 1);  // the controls
  double covered = 0;
  for (const Tile& t : tiles) covered += area(t);
  EXPECT_NEAR(covered, 1.0, 1e-6);  // no overlap and a total area of 1: the whole area
}

}  // namespace

TEST(PanelList, TitlesAndSlugsAreUniqueAndEachPanelIsMade) {
  std::set<std::string> slugs;
  for (const PanelInfo& p : panel_list()) {
    EXPECT_TRUE(slugs.insert(panel_slug(p.title)).second) << p.title;
    EXPECT_TRUE(p.points || p.images) << p.title << " is never shown";
    ASSERT_TRUE(p.make) << p.title;
  }
  EXPECT_EQ(panel_slug("Score field"), "score-field");
  EXPECT_EQ(panel_slug("Sampling stepper"), "sampling-stepper");
  EXPECT_TRUE(slugs.count("samples") && slugs.count("curves") && slugs.count("controls"));
}

TEST(PanelList, TilesCoverEachLayoutWithoutOverlap) {
  check_layout(false);
  check_layout(true);
}
