// Runs side by side: run folders read back, named by the settings that differ, aligned into
// one table, drawn into one chart; and `scorelab-cli compare` end to end.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "cli_runner.h"
#include "common/atomic_file.h"
#include "compare/run_archive.h"
#include "compare/run_history.h"
#include "plot/line_chart_png.h"
#include "settings/presets.h"
#include "settings/settings.h"
#include "temp_dir.h"

using namespace scorelab;
namespace fs = std::filesystem;

namespace {

// A run folder with the given metrics.csv and, when config is given, config.json.
std::string make_run(const scorelab::testing::TempDir& dir, const std::string& name,
                     const std::string& csv, const Config* config) {
  const std::string d = dir.file(name);
  fs::create_directories(d);
  std::ofstream(d + "/metrics.csv") << csv;
  if (config) write_file_atomically(d + "/config.json", to_json(*config).dump(2));
  return d;
}

}  // namespace

TEST(Compare, RunsAreNamedByTheirDifferencesAndAlignedByStep) {
  scorelab::testing::TempDir dir("compare");
  const Config base = load_preset("gauss8-smt");
  const Config other = apply_settings(base, {"optim.lr_score=0.01", "method.score_steps=5"});
  const auto a = make_run(dir, "a",
                          "step,wall_s,train_s,loss_score,sliced_w2\n"
                          "100,1.5,1.4,0.9,\n200,3.0,2.9,0.8,0.5\n300,4.5,4.4,0.7,0.25\n",
                          &base);
  // b: evaluated at other steps, and its last line cut short by a kill mid-write.
  const auto b = make_run(dir, "b",
                          "step,wall_s,train_s,loss_score,sliced_w2\n"
                          "150,1,1,0.8,0.75\n300,2,2,0.6,0.125\n400,3,",
                          &other);
  std::vector<RunHistory> runs = {read_run_history(a), read_run_history(b)};
  EXPECT_EQ(runs[1].rows.size(), 2u);
  const auto labels = differing_settings(runs);
  EXPECT_EQ(labels[0], "method.score_steps=3, optim.lr_score=0.003");
  EXPECT_EQ(labels[1], "method.score_steps=5, optim.lr_score=0.01");
  EXPECT_EQ(aligned_table(runs, {"a", "b"}, "sliced_w2", false),
            "step,\"a\",\"b\"\n150,,0.75\n200,0.5,\n300,0.25,0.125\n");
  EXPECT_EQ(aligned_table(runs, {"a", "b"}, "sliced_w2", true),
            "wall_s,\"a\",\"b\"\n1.000,,0.75\n2.000,,0.125\n3.000,0.5,\n4.500,0.25,\n");
  // Without config.json a run is still read; it has no label of differences.
  const auto c = make_run(dir, "c", "step,wall_s,train_s,sliced_w2\n10,1,1,2\n", nullptr);
  EXPECT_EQ(differing_settings({read_run_history(c)})[0], "");
}

TEST(Compare, MalformedFoldersAreNamedWithTheLine) {
  scorelab::testing::TempDir dir("compare-bad");
  auto message = [](const std::string& d) {
    try {
      read_run_history(d);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message(dir.file("none")).find("no such folder"), std::string::npos);
  fs::create_directories(dir.file("empty"));
  EXPECT_NE(message(dir.file("empty")).find("no metrics.csv"), std::string::npos);
  make_run(dir, "ragged", "step,wall_s,sliced_w2\n1,2,3\n4,5\n6,7,8\n", nullptr);
  EXPECT_NE(message(dir.file("ragged")).find("metrics.csv: line 3 has 2 cells"), std::string::npos);
  make_run(dir, "word", "step,wall_s,sliced_w2\n1,2,x\n", nullptr);
  EXPECT_NE(message(dir.file("word")).find("line 2, column sliced_w2: \"x\" is not a number"),
            std::string::npos);
}

TEST(Compare, ChartDrawsEachLineInItsColourWhereItsPointsAre) {
  // One rising diagonal, one falling: they cross at the middle of the plot area, and at a
  // quarter of the x range each is at its own height.
  const std::vector<ChartLine> lines = {{"up", {{0, 0}, {10, 10}}}, {"down", {{0, 10}, {10, 0}}}};
  const int w = 400, h = 300;
  const auto px = render_line_chart(lines, {"t", "x", "y"}, false, w, h);
  ASSERT_EQ(px.size(), static_cast<size_t>(w * h * 3));
  // The plot box of render_line_chart: x in [80, w − 20], y in [50, h − 60], y padded by 5%.
  const double left = 80, right = w - 20, top = 50, bottom = h - 60;
  auto at = [&](double x, double y) {
    const double y0 = -0.5, y1 = 10.5;
    const int sx = static_cast<int>(std::lround(left + x / 10 * (right - left)));
    const int sy = static_cast<int>(std::lround(bottom - (y - y0) / (y1 - y0) * (bottom - top)));
    return std::array<int, 3>{px[(sy * w + sx) * 3], px[(sy * w + sx) * 3 + 1],
                              px[(sy * w + sx) * 3 + 2]};
  };
  auto near = [](std::array<int, 3> p, const std::array<unsigned char, 3>& c) {
    return std::abs(p[0] - c[0]) + std::abs(p[1] - c[1]) + std::abs(p[2] - c[2]) < 120;
  };
  EXPECT_TRUE(near(at(2.5, 2.5), chart_colors()[0]));
  EXPECT_TRUE(near(at(2.5, 7.5), chart_colors()[1]));
  EXPECT_FALSE(near(at(2.5, 5), chart_colors()[0]));  // between the lines: background
  // Log scale leaves out values ≤ 0 rather than failing.
  EXPECT_NO_THROW(render_line_chart({{"z", {{0, 0}, {1, 1}, {2, 100}}}}, {}, true, w, h));
}

TEST(Compare, CliOverlaysRunsAsAChartAndATable) {
  scorelab::testing::TempDir dir("compare-cli");
  const std::string a = dir.file("lr3"), b = dir.file("lr1");
  for (const auto& [out, lr] : {std::pair{a, "0.003"}, std::pair{b, "0.001"}}) {
    auto r = scorelab::testing::run_cli("train --preset gauss8-dsm --steps 200 --out " + out +
                                        " --set run.eval_every=100 --set run.csv_every=50 "
                                        "--set sampler.steps_per_level=5 --set optim.lr_score=" +
                                        lr);
    ASSERT_EQ(r.code, 0) << r.out;
  }
  auto r = scorelab::testing::run_cli("compare " + a + " " + b + " --csv");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out.rfind("step,\"lr3 (optim.lr_score=0.003)\",\"lr1 (optim.lr_score=0.001)\"\n", 0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("\n200,"), std::string::npos) << r.out;
  r = scorelab::testing::run_cli("compare " + a + " " + b + " --metric loss_dsm --by time --out " +
                                 dir.file("c.png"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_GT(fs::file_size(dir.file("c.png")), 1000u);
  r = scorelab::testing::run_cli("compare " + a + " --metric nope");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("no run has values of \"nope\"; the columns are "), std::string::npos)
      << r.out;
}

namespace {

std::shared_ptr<Snapshot> snapshot_of(uint64_t run_id, uint64_t version, int64_t step,
                                      const Config& config) {
  auto s = std::make_shared<Snapshot>();
  s->run_id = run_id;
  s->version = version;
  s->step = step;
  s->config = config;
  return s;
}

}  // namespace

TEST(RunArchive, ASnapshotReadsAsTheMetricsCsvOfItsRun) {
  Snapshot s;
  s.config = load_preset("gauss8-smt");
  s.losses = {{"score", {10, 20, 30}, {0.9, 0.8, 0.7}}};
  s.metrics = {{"sliced_w2", {15, 30}, {0.5, 0.25}}};
  // The clock ran 2 s per 10 steps from step 10 on: step 15 is at 3 s, step 5 at 1 s.
  s.clock = {"wall_s", {10, 20, 30}, {2.0, 4.0, 6.0}};
  const RunHistory h = history_of(s);
  ASSERT_EQ(h.columns, (std::vector<std::string>{"step", "wall_s", "loss_score", "sliced_w2"}));
  ASSERT_EQ(h.rows.size(), 4u);  // steps 10, 15, 20, 30
  EXPECT_EQ(h.curve("sliced_w2", false),
            (std::vector<std::pair<double, double>>{{15, 0.5}, {30, 0.25}}));
  EXPECT_EQ(h.curve("sliced_w2", true),
            (std::vector<std::pair<double, double>>{{3.0, 0.5}, {6.0, 0.25}}));
  EXPECT_EQ(h.curve("loss_score", true).front(), std::make_pair(2.0, 0.9));
  Snapshot early = s;
  early.losses = {{"score", {5}, {1.0}}};
  EXPECT_DOUBLE_EQ(history_of(early).curve("loss_score", true)[0].first, 1.0);

  // Saved as a run folder, it reads back as `compare` reads any run.
  scorelab::testing::TempDir dir("archive");
  save_run_history(h, dir.file("saved"));
  const RunHistory back = read_run_history(dir.file("saved"));
  EXPECT_EQ(back.columns, h.columns);
  EXPECT_EQ(back.curve("sliced_w2", true), h.curve("sliced_w2", true));
  EXPECT_EQ(back.curve("loss_score", false), h.curve("loss_score", false));
  ASSERT_TRUE(back.has_config);
  EXPECT_EQ(to_json(back.config), to_json(s.config));
}

TEST(RunArchive, KeepsEveryRunThatTrainedOnceAndABranchOnce) {
  const Config a = load_preset("gauss8-smt");
  const Config b = apply_settings(a, {"method.score_steps=5"});
  RunArchive archive;
  archive.observe(snapshot_of(1, 1, 0, a));
  archive.observe(snapshot_of(1, 2, 300, a));
  EXPECT_TRUE(archive.runs().empty());
  EXPECT_EQ(archive.live_number(), 1);
  archive.observe(snapshot_of(2, 3, 0, b));  // a reset: run 1 is kept as last seen
  ASSERT_EQ(archive.runs().size(), 1u);
  EXPECT_EQ(archive.runs()[0].name, "run 1: smt on gauss8, 300 steps");
  EXPECT_FALSE(archive.runs()[0].shown);
  EXPECT_EQ(archive.live_number(), 2);
  archive.observe(snapshot_of(3, 4, 0, a));  // run 2 never trained: not kept
  EXPECT_EQ(archive.runs().size(), 1u);
  archive.observe(snapshot_of(3, 5, 120, a));
  ArchivedRun& branch = archive.keep_live("runs/branch");
  EXPECT_TRUE(branch.shown);
  EXPECT_EQ(branch.number, 3);
  EXPECT_EQ(branch.history.dir, "runs/branch");
  archive.observe(snapshot_of(4, 6, 0, b));  // the branch's new run: run 3 is not kept twice
  EXPECT_EQ(archive.runs().size(), 2u);
  EXPECT_EQ(archive.live_number(), 4);
  // The live run and a kept one are told apart by the setting in which they differ.
  const auto labels = differing_settings({archive.live(), archive.runs()[1].history});
  EXPECT_EQ(labels[0], "method.score_steps=5");
  EXPECT_EQ(labels[1], "method.score_steps=3");
  // A folder opened later takes the next number.
  RunHistory opened;
  opened.dir = "somewhere/runs/lr-sweep/";
  EXPECT_EQ(archive.add(opened).name, "run 5: lr-sweep");
}

TEST(RunArchive, KeepsAtMostABoundOfRunsDroppingTheOldestUnsavedHidden) {
  const Config a = load_preset("gauss8-smt");
  RunArchive archive;
  uint64_t version = 0;
  for (uint64_t id = 1; id <= RunArchive::kMaxRuns + 6; ++id) {
    archive.observe(snapshot_of(id, ++version, 10, a));
    if (id == 2) archive.keep_live("runs/kept");  // saved: never dropped
  }
  ASSERT_EQ(archive.runs().size(), RunArchive::kMaxRuns);
  EXPECT_EQ(archive.runs()[0].number, 2);  // the saved one stays
  EXPECT_EQ(archive.runs()[1].number, 7);  // runs 1, 3..6 went, oldest first
  EXPECT_EQ(archive.runs().back().number, static_cast<int>(RunArchive::kMaxRuns) + 5);
}
