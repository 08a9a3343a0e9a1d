// The data-source registry is the one list of data sources: the settings offer exactly its
// names, each toy source loads the set its name says with the properties its line claims, and
// a source's path and pad32 rules are what validation enforces.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <set>

#include "common/error.h"
#include "config/config.h"
#include "data/data_sources.h"
#include "data/dataset.h"
#include "settings/settings.h"
#include "temp_dir.h"

using namespace scorelab;

namespace {

std::string refusal(const Config& c) {
  try {
    validate(c);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(DataSources, SettingsOfferExactlyTheRegisteredNames) {
  std::vector<std::string> registered;
  for (const auto& s : data_sources()) registered.push_back(s.name);
  EXPECT_EQ(find_field("data.name")->options, registered);
  EXPECT_EQ(std::set<std::string>(registered.begin(), registered.end()).size(), registered.size());
  Config c;
  c.data.name = "no-such-set";
  EXPECT_NE(refusal(c).find("data.name = \"no-such-set\" is not one of: swissroll"),
            std::string::npos);
  EXPECT_THROW(data_source("no-such-set"), ConfigError);
  EXPECT_FALSE(is_image_data("no-such-set"));
}

// Each source that needs nothing loads: its name, its kind and whether its score is exact as the
// registry says (a mixture, or a finite set of points, has an exact score).
TEST(DataSources, EachToySourceIsWhatItsLineSays) {
  int loaded = 0;
  for (const auto& s : data_sources()) {
    if (s.kind != DataKind::points || !s.needs_path.empty()) continue;
    DataConfig c;
    c.name = s.name;
    auto d = make_dataset(c, torch::kCPU);
    EXPECT_EQ(d->name(), s.name);
    EXPECT_FALSE(d->is_image()) << s.name;
    EXPECT_FALSE(is_image_data(s.name));
    EXPECT_EQ(d->mixture() != nullptr || d->all_points().defined(), s.exact_score) << s.name;
    ++loaded;
  }
  EXPECT_EQ(loaded, 7);
}

TEST(DataSources, PointsFromAFileHaveTheirExactScore) {
  scorelab::testing::TempDir dir("data-sources");
  const std::string path = dir.file("p.csv");
  {
    std::ofstream out(path);
    for (int i = 0; i < 12; ++i) out << i << "," << -i << "\n";
  }
  Config c;
  c.data.name = "points";
  c.data.path = path;
  const DataSource& s = data_source("points");
  auto d = s.load(c.data, torch::kCPU);
  EXPECT_TRUE(s.exact_score);
  EXPECT_TRUE(d->all_points().defined());
  EXPECT_EQ(d->dim(), 2);
}

TEST(DataSources, PathAndPad32RulesAreTheRegistrysOwn) {
  int needing = 0;
  for (const auto& s : data_sources()) {
    Config c;
    c.data.name = s.name;
    if (s.kind == DataKind::images) EXPECT_TRUE(is_image_data(s.name)) << s.name;
    const std::string why = refusal(c);
    if (s.needs_path.empty()) {
      EXPECT_EQ(why, "") << s.name;
    } else {
      ++needing;
      EXPECT_NE(why.find("data.name = " + s.name + " needs data.path (" + s.needs_path + ")"),
                std::string::npos)
          << why;
      c.data.path = "/somewhere";
    }
    c.data.pad32 = true;
    const std::string pad = refusal(c);
    EXPECT_EQ(pad.empty(), s.refuses_pad32.empty()) << s.name << ": " << pad;
  }
  EXPECT_EQ(needing, 4);  // mnist-idx, cifar10, points, image-folder
}
