#include <cctype>

#include "panels/alpha_sweep_panel.h"
#include "panels/controls_panel.h"
#include "panels/curves_panel.h"
#include "panels/image_grid_panel.h"
#include "panels/panel.h"
#include "panels/samples_panel.h"
#include "panels/score_field_panel.h"
#include "panels/stepper_panel.h"

namespace scorelab::ui {

namespace {

template <class P>
std::unique_ptr<Panel> make() {
  return std::make_unique<P>();
}

// Runs on points: fields, samples and curves above (the top 56%), the α-sweep, the sampling
// stepper and the image grid below. Runs on images: a large grid and the curves.
constexpr float kTop = 0.56f, kThird = 1.0f / 3, kTwoThirds = 2.0f / 3;
const Tile kColumn{true};

}  // namespace

const std::vector<PanelInfo>& panel_list() {
  static const std::vector<PanelInfo> panels = {
      // title               on points                           on images
      {"Controls", kColumn, kColumn, make<ControlsPanel>},
      {"Score field", Tile{false, 0, 0, kThird, kTop}, std::nullopt, make<ScoreFieldPanel>},
      {"Samples", Tile{false, kThird, 0, kTwoThirds, kTop}, std::nullopt, make<SamplesPanel>},
      {"Curves", Tile{false, kTwoThirds, 0, 1, kTop}, Tile{false, kTwoThirds, 0, 1, 1},
       make<CurvesPanel>},
      {"Alpha sweep", Tile{false, 0, kTop, 0.42f, 1}, std::nullopt, make<AlphaSweepPanel>},
      {"Sampling stepper", Tile{false, 0.42f, kTop, 0.85f, 1}, std::nullopt, make<StepperPanel>},
      {"Images", Tile{false, 0.85f, kTop, 1, 1}, Tile{false, 0, 0, kTwoThirds, 1},
       make<ImageGridPanel>},
  };
  return panels;
}

std::string panel_slug(const std::string& title) {
  std::string s;
  for (char ch : title) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) {
      s += static_cast<char>(std::tolower(c));
    } else if (!s.empty() && s.back() != '-') {
      s += '-';
    }
  }
  return s;
}

}  // namespace scorelab::ui
