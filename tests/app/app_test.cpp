// The desktop app run for real under Xvfb (llvmpipe): it trains, renders panels, writes a
// screenshot, and obeys a script. Skipped where xvfb-run is missing.
#include <gtest/gtest.h>
#include <stb_image.h>
#include <stb_image_write.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "temp_dir.h"

namespace {

namespace fs = std::filesystem;

struct AppRun {
  int status = -1;
  std::string output;
};

// The app with `args`, run in `cwd` when given (where it writes its runs/ folder).
// SCORELAB_TEST_APP_WRAPPER goes before the app only, not before xvfb-run (`make sanitize` uses
// it to keep the GL driver loaded until the leak check).
AppRun run_app(const std::string& args, const std::string& cwd = "") {
  const char* wrapper = std::getenv("SCORELAB_TEST_APP_WRAPPER");
  const std::string cmd =
      (cwd.empty() ? "" : "cd '" + cwd + "' && ") + "xvfb-run -a -s '-screen 0 1600x900x24' " +
      (wrapper ? std::string(wrapper) + " " : "") + SCORELAB_APP_PATH " " + args + " 2>&1";
  AppRun r;
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p.get())) > 0) r.output.append(buf, n);
  const int raw = pclose(p.release());
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

bool have_xvfb() {
  return std::system("command -v xvfb-run > /dev/null 2>&1") == 0;
}

// Standard deviation of the luminance over a rectangle of an RGB(A) image.
double luminance_std(const unsigned char* px, int w, int channels, int x0, int y0, int x1, int y1) {
  double s = 0, s2 = 0;
  int64_t n = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      const unsigned char* p = px + (static_cast<int64_t>(y) * w + x) * channels;
      const double l = 0.3 * p[0] + 0.59 * p[1] + 0.11 * p[2];
      s += l;
      s2 += l * l;
      ++n;
    }
  }
  const double m = s / n;
  return std::sqrt(std::max(0.0, s2 / n - m * m));
}

fs::path temp_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("scorelab-app-" + name + "-" + std::to_string(getpid()));
  fs::create_directories(d);
  return d;
}

TEST(App, ScreenshotShowsTrainingPanels) {
  if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed";
  const auto dir = temp_dir("shot");
  const std::string png = (dir / "window.png").string();
  const AppRun r =
      run_app("--preset gauss8-smt --width 1200 --height 700 --frames 150 --screenshot " + png);
  ASSERT_EQ(r.status, 0) << r.output;
  int w = 0, h = 0, c = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> px(stbi_load(png.c_str(), &w, &h, &c, 3),
                                                     stbi_image_free);
  ASSERT_TRUE(px) << "cannot read " << png;
  EXPECT_EQ(w, 1200);
  EXPECT_EQ(h, 700);
  EXPECT_GT(luminance_std(px.get(), w, 3, 0, 0, w, h), 10.0) << "the window looks blank";
  // The layout: controls 300 px wide; score field and samples side by side above 376 px.
  EXPECT_GT(luminance_std(px.get(), w, 3, 320, 80, 580, 340), 8.0) << "score field is uniform";
  EXPECT_GT(luminance_std(px.get(), w, 3, 620, 80, 880, 340), 8.0) << "samples are uniform";
  scorelab::testing::remove_tree(dir);
}

TEST(App, ScriptChangesAHyperparameterTheTrainerReceives) {
  if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed";
  const auto dir = temp_dir("script");
  const auto script = dir / "s.txt";
  const auto shot = dir / "after.png";
  const auto panel = dir / "samples.png";
  std::ofstream(script) << "preset gauss8-smt\n"
                           "pause\n"
                           "set optim.lr_gen 0.00123\n"
                           "expect optim.lr_gen 0.00123\n"
                           "print optim.lr_gen\n"
                           "step 10\n"
                           "screenshot-panel samples "
                        << panel.string() << "\nscreenshot " << shot.string() << "\nquit\n";
  const AppRun ok = run_app("--width 1000 --height 600 --script " + script.string());
  ASSERT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("optim.lr_gen = 0.00123"), std::string::npos) << ok.output;
  EXPECT_TRUE(fs::exists(shot));
  // The samples panel alone: its tile at 1000x600 is 250 x 320 pixels (controls 250 wide, top row
  // 56% of the height above the status bar), and it shows points.
  int w = 0, h = 0, c = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> px(
      stbi_load(panel.string().c_str(), &w, &h, &c, 3), stbi_image_free);
  ASSERT_TRUE(px) << "cannot read " << panel;
  EXPECT_EQ(w, 250);
  EXPECT_EQ(h, 320);
  EXPECT_GT(luminance_std(px.get(), w, 3, 10, 60, w - 10, h - 30), 8.0)
      << "samples panel is uniform";

  // A wrong expectation, an out-of-range value and an unknown command all fail, naming the line.
  std::ofstream(script) << "pause\nexpect optim.lr_gen 0.5\nquit\n";
  AppRun bad = run_app("--width 800 --height 500 --script " + script.string());
  EXPECT_EQ(bad.status, 1) << bad.output;
  EXPECT_NE(bad.output.find("s.txt:2: expect"), std::string::npos) << bad.output;
  std::ofstream(script) << "pause\nset optim.lr_gen -1\nquit\n";
  bad = run_app("--width 800 --height 500 --script " + script.string());
  EXPECT_EQ(bad.status, 1) << bad.output;
  EXPECT_NE(bad.output.find("lr_gen"), std::string::npos) << bad.output;
  std::ofstream(script) << "pause\nscreenshot-panel nowhere x.png\nquit\n";
  bad = run_app("--width 800 --height 500 --script " + script.string());
  EXPECT_EQ(bad.status, 1) << bad.output;
  EXPECT_NE(bad.output.find("no panel 'nowhere' (alpha-sweep, controls"), std::string::npos)
      << bad.output;
  std::ofstream(script) << "jump 3\n";
  bad = run_app("--script " + script.string());
  EXPECT_EQ(bad.status, 1) << bad.output;
  EXPECT_NE(bad.output.find("unknown command 'jump'"), std::string::npos) << bad.output;
  scorelab::testing::remove_tree(dir);
}

// The numbers after `key` in `line` ("weights 0.21 : 0.79  (true 0.20 : 0.80)").
std::vector<double> numbers_after(const std::string& line, const std::string& key) {
  std::vector<double> out;
  size_t at = line.find(key);
  if (at == std::string::npos) return out;
  std::stringstream in(line.substr(at + key.size()));
  for (std::string w; in >> w && w != "(true";) {
    if (w != ":") out.push_back(std::stod(w));
  }
  return out;
}

std::string line_starting(const std::string& text, const std::string& prefix) {
  const size_t at = text.find(prefix);
  return at == std::string::npos ? "" : text.substr(at, text.find('\n', at) - at);
}

// The poster's mixing experiment in the stepper: with the exact score of the 1/5 : 4/5 mixture,
// annealed Langevin recovers the weights; plain Langevin at the smallest σ keeps whatever split
// the uniform start gave (about even).
TEST(App, StepperShowsAnnealedLangevinRecoveringTheTwoModesWeights) {
  if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed";
  const auto dir = temp_dir("stepper");
  const auto script = dir / "s.txt";
  // Seconds normally; minutes under TSan.
  std::ofstream(script) << "preset twomodes-dsm\npause\ntimeout 3600\nlangevin-exact\nquit\n";
  const AppRun r = run_app("--width 1000 --height 600 --script " + script.string());
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string annealed = line_starting(r.output, "annealed Langevin (exact score)");
  const std::string plain = line_starting(r.output, "plain Langevin (exact score)");
  const auto wa = numbers_after(annealed, "weights"), wp = numbers_after(plain, "weights");
  const auto truth = numbers_after(annealed, "(true");
  ASSERT_EQ(truth.size(), 2u) << r.output;
  ASSERT_EQ(wa.size(), 2u) << r.output;
  ASSERT_EQ(wp.size(), 2u) << r.output;
  EXPECT_NEAR(std::min(truth[0], truth[1]), 0.2, 1e-6);
  for (int k = 0; k < 2; ++k) EXPECT_NEAR(wa[k], truth[k], 0.05) << annealed;
  EXPECT_GT(std::abs(wp[0] - truth[0]), 0.15) << plain;
  scorelab::testing::remove_tree(dir);
}

TEST(App, UnknownPresetIsRefusedWithAMessage) {
  if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed";
  const AppRun r = run_app("--preset no-such-preset --frames 2");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("no-such-preset"), std::string::npos) << r.output;
  // The frame benchmark checks its presets before it starts any (it aborted here once).
  const AppRun b = run_app("--bench-frames 5 --bench-presets swissroll-dsm,no-such-preset");
  EXPECT_EQ(b.status, 1) << b.output;
  EXPECT_NE(b.output.find("--bench-presets: unknown preset 'no-such-preset'"), std::string::npos)
      << b.output;
  EXPECT_EQ(b.output.find("terminate"), std::string::npos) << b.output;
}

// Hardening findings 7, 8 and 10: every refusal is exit status 1 with one line naming the
// problem; script numbers are read strictly; a failed screenshot fails the script.
TEST(App, BadScriptsConfigsAndOptionsFailWithStatusOne) {
  if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed";
  scorelab::testing::TempDir dir("app-bad");
  auto script = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.path() / name) << text;
    return (dir.path() / name).string();
  };
  const struct {
    std::string args, expect;
  } cases[] = {
      {"--script " + script("a.txt", "step abc\n"), "a.txt:1: step: \"abc\" is not a whole number"},
      {"--script " + script("b.txt", "wait abc\n"),
       "b.txt:1: wait: \"abc\" is not a number of seconds"},
      {"--script " + script("c.txt", "wait -1\n"), "c.txt:1: wait: \"-1\""},
      {"--script " + script("d.txt", "wait nan\n"), "d.txt:1: wait: \"nan\""},
      {"--script " + script("e.txt", "wait 1e308\n"), "e.txt:1: wait: \"1e308\""},
      {"--script " + script("f.txt", "frames -1\n"), "f.txt:1: frames: \"-1\""},
      {"--script " + script("g.txt", "timeout 0\n"),
       "g.txt:1: timeout: \"0\" is not a number of seconds in (0, 86400]"},
      {"--script " + script("h.txt", "timeout abc\n"), "h.txt:1: timeout: \"abc\""},
      // A step that cannot finish in the script's timeout fails the script with its line.
      {"--preset gauss8-dsm --script " + script("i.txt", "pause\ntimeout 0.5\nstep 100000000\n"),
       "i.txt:3: step: did not finish within 0.5 s"},
      {"--script " + (dir.path() / "missing.txt").string(), "missing.txt: no such file"},
      {"--script /dev/zero", "/dev/zero: it is a character device"},
      {"--config " + script("bad.json", "{\"optim\": {\"lr_score\": 1e999}}"),
       "bad.json: not valid JSON: number 1e999 is out of range"},
      {"--bogus-option", "scorelab: The following argument was not expected: --bogus-option"},
  };
  for (const auto& c : cases) {
    const AppRun r = run_app(c.args + " --frames 2");
    EXPECT_EQ(r.status, 1) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.expect), std::string::npos) << c.args << "\n" << r.output;
  }
  // A screenshot into a folder that does not exist stops the script: status 1, line named.
  const AppRun shot =
      run_app("--preset gauss8-dsm --script " +
              script("shot.txt", "frames 2\nscreenshot " + (dir.path() / "no" / "x.png").string() +
                                     "\nprint run.seed\n"));
  EXPECT_EQ(shot.status, 1) << shot.output;
  EXPECT_NE(shot.output.find("shot.txt:2: screenshot:"), std::string::npos) << shot.output;
  EXPECT_EQ(shot.output.find("run.seed ="), std::string::npos) << shot.output;
}

}  // namespace

// A file dropped on the window (the script's `drop` does what the drop callback does) becomes
// the run's data; one scorelab cannot open is refused with its name and the run goes on.
TEST(App, DroppedPointsAndImageFoldersBecomeTheData) {
  if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed";
  const auto dir = temp_dir("drop");
  std::ofstream csv(dir / "ring.csv");
  for (int i = 0; i < 100; ++i) csv << std::cos(0.0628 * i) << " " << std::sin(0.0628 * i) << "\n";
  csv.close();
  fs::create_directories(dir / "imgs");
  std::vector<unsigned char> rgb(20 * 20 * 3, 200);
  for (int k = 0; k < 3; ++k) {
    rgb[k] = 0;
    const std::string png = (dir / "imgs" / (std::to_string(k) + ".png")).string();
    ASSERT_TRUE(stbi_write_png(png.c_str(), 20, 20, 3, rgb.data(), 60));
  }
  const auto script = dir / "s.txt";
  std::ofstream(script) << "pause\ndrop " << (dir / "ring.csv").string()
                        << "\nexpect data.name points\nexpect method.name smt\nstep 20\n"
                        << "drop " << (dir / "imgs").string()
                        << "\nexpect data.name image-folder\nexpect data.image_size 32\nquit\n";
  const AppRun ok = run_app("--width 1000 --height 600 --script " + script.string());
  EXPECT_EQ(ok.status, 0) << ok.output;

  std::ofstream(dir / "notes.doc") << "not data";
  std::ofstream(script) << "drop " << (dir / "notes.doc").string() << "\nquit\n";
  const AppRun bad = run_app("--width 800 --height 500 --script " + script.string());
  EXPECT_EQ(bad.status, 1) << bad.output;
  EXPECT_NE(bad.output.find("notes.doc: scorelab opens points"), std::string::npos) << bad.output;
  scorelab::testing::remove_tree(dir);
}

// Strokes drawn in the Samples panel become the run's data: a script draws a line and a bump,
// training restarts on the drawing, and the drawing is offered in the preset list.
TEST(App, StrokesBecomeTheDataTrainingRestartsOn) {
  if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed";
  const auto dir = temp_dir("stroke");
  const auto script = dir / "s.txt";
  std::ofstream(script) << "pause\nstroke -1,0 0,1 1,0\nexpect data.name points\n"
                           "stroke -1,-1 1,-1\nstep 20\nexpect data.name points\nquit\n";
  const AppRun ok = run_app("--width 1000 --height 600 --script " + script.string());
  EXPECT_EQ(ok.status, 0) << ok.output;
  std::ofstream(script) << "stroke 0,0 x\nquit\n";
  const AppRun bad = run_app("--width 800 --height 500 --script " + script.string());
  EXPECT_EQ(bad.status, 1) << bad.output;
  EXPECT_NE(bad.output.find("\"x\" is not a point x,y"), std::string::npos) << bad.output;
  scorelab::testing::remove_tree(dir);
}

// Runs side by side: a branch keeps the first run (saved as a run folder) and the curves overlay
// it on the live run, named by the setting that differs; a saved folder opens in a later session.
TEST(App, BranchKeepsTheRunAndTheCurvesOverlayBoth) {
  if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed";
  const auto dir = temp_dir("branch");
  const auto script = dir / "s.txt";
  std::ofstream(script) << "pause\nset run.eval_every 50\nstep 100\n"
                           "branch model.hidden 48\nexpect model.hidden 48\nstep 100\n"
                           "print-overlay\noverlay-by time\noverlay-metric sliced_w2\n"
                           "print-overlay\nsave-samples samples.csv\n"
                           "screenshot-panel curves curves.png\nquit\n";
  const AppRun ok = run_app(
      "--preset gauss8-smt --width 1200 --height 700 --script " + script.string(), dir.string());
  ASSERT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("overlay: run 2 (live): model.hidden=48"), std::string::npos)
      << ok.output;
  EXPECT_NE(ok.output.find("overlay: run 1: model.hidden=64"), std::string::npos) << ok.output;
  // The run folder is named after the step it branched at (the app trains a few steps before
  // the script's pause).
  fs::path saved;
  if (fs::exists(dir / "runs")) {
    for (const auto& e : fs::directory_iterator(dir / "runs")) saved = e.path();
  }
  EXPECT_EQ(saved.filename().string().rfind("run1-smt-step1", 0), 0u) << saved;
  EXPECT_TRUE(fs::exists(saved / "metrics.csv")) << ok.output;
  EXPECT_TRUE(fs::exists(saved / "config.json"));
  EXPECT_TRUE(fs::exists(saved / "checkpoint.ckpt"));
  // The samples shown, one point per line.
  std::ifstream samples(dir / "samples.csv");
  int lines = 0;
  for (std::string line; std::getline(samples, line);) lines += !line.empty();
  EXPECT_GE(lines, 1000);
  EXPECT_TRUE(fs::exists(dir / "curves.png"));

  // A later session lists the folder beside its own run; a folder without metrics.csv is
  // refused by name.
  std::ofstream(script) << "pause\nopen-run " << saved.string() << "\nstep 20\nprint-overlay\n"
                        << "open-run " << dir.string() << "\nquit\n";
  const AppRun later = run_app(
      "--preset gauss8-smt --set model.hidden=32 --width 1000 "
      "--height 600 --script " +
          script.string(),
      dir.string());
  EXPECT_EQ(later.status, 1) << later.output;
  EXPECT_NE(later.output.find("overlay: run 2: model.hidden=64"), std::string::npos)
      << later.output;
  EXPECT_NE(later.output.find("overlay: run 1 (live): model.hidden=32"), std::string::npos)
      << later.output;
  EXPECT_NE(later.output.find("not a run folder (no metrics.csv)"), std::string::npos)
      << later.output;
  scorelab::testing::remove_tree(dir);
}

// `--watch`: the app follows a run folder the CLI (two data-parallel ranks here) is writing:
// each new checkpoint is loaded (the step moves on with the CLI's, not by training in the app)
// and the folder's metrics.csv is overlaid on the curves.
TEST(App, WatchFollowsARunFolderAnotherProcessWrites) {
  if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed";
  const auto dir = temp_dir("watch");
  const auto run = dir / "run";
  const std::string cli = std::string(SCORELAB_CLI_PATH) +
                          " train --nproc 2 --preset swissroll-dsm --steps 4000 --set "
                          "run.checkpoint_every=250 --set run.csv_every=50 --set "
                          "run.eval_every=0 --out " +
                          run.string() + " > " + (dir / "cli.log").string() + " 2>&1 &";
  ASSERT_EQ(std::system(cli.c_str()), 0);
  for (int i = 0; i < 1200 && !fs::exists(run / "checkpoint.ckpt"); ++i) {
    std::system("sleep 0.1");
  }
  ASSERT_TRUE(fs::exists(run / "checkpoint.ckpt"));
  const auto script = dir / "s.txt";
  std::ofstream(script) << "until-step 4000\nprint-overlay\nscreenshot " << (dir / "w.png").string()
                        << "\nquit\n";
  const AppRun r =
      run_app("--watch " + run.string() + " --width 1200 --height 700 --script " + script.string());
  std::ifstream log(dir / "cli.log");
  std::stringstream cli_out;
  cli_out << log.rdbuf();
  ASSERT_EQ(r.status, 0) << r.output << "\nCLI:\n" << cli_out.str();
  EXPECT_NE(r.output.find("overlay: run 2"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(dir / "w.png"));
  // The folder is the CLI's alone: the app wrote nothing there.
  for (const auto& e : fs::directory_iterator(run)) {
    const std::string n = e.path().filename().string();
    EXPECT_TRUE(n == "config.json" || n == "metrics.csv" || n == "checkpoint.ckpt" ||
                n.rfind("samples", 0) == 0)
        << n;
  }
  scorelab::testing::remove_tree(dir);
}
