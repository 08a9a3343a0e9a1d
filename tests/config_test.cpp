#include <gtest/gtest.h>

#include "common/error.h"
#include "settings/presets.h"
#include "settings/settings.h"

using namespace scorelab;

namespace {
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Config, JsonRoundTripKeepsEveryField) {
  Config c;
  c.description = "x";
  c.optim.lr_score = 3e-4;
  c.noise.levels = 77;
  c.sampler.denoise_last = false;
  c.data.name = "gauss25";
  const Config back = merge_json(Config{}, to_json(c));
  EXPECT_EQ(to_json(back), to_json(c));
  EXPECT_TRUE(changed_keys(c, back).empty());
}

TEST(Config, OutOfRangeNamesFieldValueAndRange) {
  const std::string msg = error_of([] { apply_setting(Config{}, "optim.lr_score=-1"); });
  EXPECT_NE(msg.find("optim.lr_score = -1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(0, 1]"), std::string::npos) << msg;
  const std::string layers = error_of([] { apply_setting(Config{}, "model.layers", "0"); });
  EXPECT_NE(layers.find("model.layers = 0 is out of range [1, 16]"), std::string::npos) << layers;
}

TEST(Config, UnknownKeysWrongTypesAndChoicesAreNamed) {
  EXPECT_NE(error_of([] {
              apply_setting(Config{}, "optim.lr_scroe=1e-3");
            }).find("unknown setting 'optim.lr_scroe'"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              apply_setting(Config{}, "optim.batch=abc");
            }).find("optim.batch = \"abc\" must be an integer"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              apply_setting(Config{}, "data.name=spiral");
            }).find("data.name = \"spiral\" is not one of"),
            std::string::npos);
  EXPECT_NE(error_of([] { apply_setting(Config{}, "noise=3"); }).find("'noise' must be an object"),
            std::string::npos);
  EXPECT_NE(error_of([] { apply_setting(Config{}, "noevalue"); }).find("expected key=value"),
            std::string::npos);
  EXPECT_NE(
      error_of([] { apply_setting(Config{}, "run.device=gpu"); }).find("run.device = \"gpu\""),
      std::string::npos);
}

TEST(Config, CrossFieldRelationsAreChecked) {
  const std::string msg = error_of([] { apply_setting(Config{}, "noise.sigma_min=10"); });
  EXPECT_NE(msg.find("noise.sigma_min = 10 must be below noise.sigma_max = 5"), std::string::npos)
      << msg;
}

TEST(Config, SettingsParseNumbersBooleansAndWords) {
  Config c = apply_setting(Config{}, "optim.batch=1e3");
  EXPECT_EQ(c.optim.batch, 1000);
  c = apply_setting(c, "sampler.denoise_last=false");
  EXPECT_FALSE(c.sampler.denoise_last);
  c = apply_setting(c, "data.name=moons");
  EXPECT_EQ(c.data.name, "moons");
}

TEST(Config, ResetKeysSeparateLiveFromStructuralChanges) {
  Config a;
  Config b = apply_setting(a, "optim.lr_score=0.01");
  EXPECT_TRUE(reset_keys(a, b).empty());
  EXPECT_EQ(changed_keys(a, b), std::vector<std::string>{"optim.lr_score"});
  Config c = apply_setting(a, "model.hidden=64");
  EXPECT_EQ(reset_keys(a, c), std::vector<std::string>{"model.hidden"});
}

TEST(Config, EveryPresetLoadsAndHasADescription) {
  const auto presets = list_presets();
  ASSERT_GE(presets.size(), 7u);
  for (const auto& p : presets) {
    Config c;
    EXPECT_NO_THROW(c = load_preset(p.name)) << p.name;
    EXPECT_FALSE(c.description.empty()) << p.name;
  }
  EXPECT_NE(error_of([] { load_preset("nope"); }).find("unknown preset 'nope' (known: "),
            std::string::npos);
}

TEST(Config, FieldListHasDocsAndRanges) {
  for (const auto& f : list_fields()) {
    EXPECT_FALSE(f.doc.empty()) << f.key;
    if (f.type == "number" || f.type == "integer") EXPECT_LT(f.lo, f.hi) << f.key;
    if (f.type == "choice") EXPECT_FALSE(f.options.empty()) << f.key;
  }
}

// The one rule for a typed value: text and choice fields keep the text, others parse as JSON
// (numbers, booleans, lists) and fall back to the text, which validation then names.
TEST(Config, SettingValuesFollowOneRule) {
  EXPECT_EQ(setting_value("data.path", "123"), nlohmann::json("123"));
  EXPECT_EQ(setting_value("data.name", "true"), nlohmann::json("true"));
  EXPECT_EQ(setting_value("optim.batch", "64"), nlohmann::json(64));
  EXPECT_EQ(setting_value("sampler.denoise_last", "false"), nlohmann::json(false));
  EXPECT_EQ(setting_value("method.alpha_fixed", "[0, 0.5]"), nlohmann::json({0, 0.5}));
  EXPECT_EQ(setting_value("method.alpha_fixed", "0, 0.5"), nlohmann::json("0, 0.5"));
  EXPECT_EQ(setting_value("optim.batch", "{\"a\":1}"), nlohmann::json("{\"a\":1}"));
  EXPECT_EQ(apply_setting(Config{}, "data.path=123").data.path, "123");
  EXPECT_EQ(apply_setting(Config{}, "method.alpha_fixed=[0.25,1]").method.alpha_fixed,
            (std::vector<double>{0.25, 1}));
  const nlohmann::json j = to_json(Config{});
  ASSERT_NE(find_setting(j, "optim.lr_score"), nullptr);
  EXPECT_EQ(*find_setting(j, "optim.lr_score"), nlohmann::json(1e-3));
  EXPECT_EQ(find_setting(j, "optim.nope"), nullptr);
  EXPECT_EQ(find_setting(j, "optim.lr_score.x"), nullptr);
  EXPECT_EQ(setting_text(nlohmann::json({0, 0.5, 1})), "0, 0.5, 1");
}

TEST(Config, RenamedSettingsOfOlderRunsAreReadUnderTheirNewNames) {
  const Config c =
      merge_json(Config{}, nlohmann::json::parse(R"({"method": {"warmup_steps": 7}})"), "old.json");
  EXPECT_EQ(c.method.pretrain_steps, 7);
}
