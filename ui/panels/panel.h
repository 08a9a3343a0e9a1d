#pragma once
// What every panel of the app is: something drawn into its window each frame from the frame's
// snapshot (AppContext), posting commands and never waiting on a step. panel_list.cpp lists
// them with their titles and default tiles.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app_context.h"

namespace scorelab::ui {

class Panel {
 public:
  virtual ~Panel() = default;
  virtual void draw(AppContext& ctx) = 0;
};

// A panel's default place: the controls column at the left, or a rectangle in fractions of the
// area right of it and above the status bar. The window is retiled when its size changes.
struct Tile {
  bool column = false;  // the controls column (the fractions are then ignored)
  float x0 = 0, y0 = 0, x1 = 1, y1 = 1;
};

struct PanelInfo {
  std::string title;           // its window's title; slug(title) names it in scripts
  std::optional<Tile> points;  // its tile in runs on points; none = not shown then
  std::optional<Tile> images;  // its tile in runs on images; none = not shown then
  std::function<std::unique_ptr<Panel>()> make;
};

// Every panel, in drawing order.
const std::vector<PanelInfo>& panel_list();

// "Score field" -> "score-field": how scripts and file names call a panel.
std::string panel_slug(const std::string& title);

}  // namespace scorelab::ui
