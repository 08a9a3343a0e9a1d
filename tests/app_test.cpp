// The desktop app run for real under Xvfb (llvmpipe): it trains, renders panels, writes a
// screenshot, and obeys a script. Skipped where xvfb-run is missing.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace {

namespace fs = std::filesystem;

struct AppRun {
  int status = -1;
  std::string output;
};

AppRun run_app(const std::string& args) {
  const std::string cmd =
      "xvfb-run -a -s '-screen 0 1600x900x24' " SCORELAB_APP_PATH " " + args + " 2>&1";
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
  fs::remove_all(dir);
}

TEST(App, ScriptChangesAHyperparameterTheTrainerReceives) {
  if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed";
  const auto dir = temp_dir("script");
  const auto script = dir / "s.txt";
  const auto shot = dir / "after.png";
  std::ofstream(script) << "preset gauss8-smt\n"
                           "pause\n"
                           "set optim.lr_gen 0.00123\n"
                           "expect optim.lr_gen 0.00123\n"
                           "print optim.lr_gen\n"
                           "step 10\n"
                           "screenshot "
                        << shot.string() << "\nquit\n";
  const AppRun ok = run_app("--width 1000 --height 600 --script " + script.string());
  ASSERT_EQ(ok.status, 0) << ok.output;
  EXPECT_NE(ok.output.find("optim.lr_gen = 0.00123"), std::string::npos) << ok.output;
  EXPECT_TRUE(fs::exists(shot));

  // A wrong expectation, an out-of-range value and an unknown command all fail, naming the line.
  std::ofstream(script) << "pause\nexpect optim.lr_gen 0.5\nquit\n";
  AppRun bad = run_app("--width 800 --height 500 --script " + script.string());
  EXPECT_EQ(bad.status, 1) << bad.output;
  EXPECT_NE(bad.output.find("s.txt:2: expect"), std::string::npos) << bad.output;
  std::ofstream(script) << "pause\nset optim.lr_gen -1\nquit\n";
  bad = run_app("--width 800 --height 500 --script " + script.string());
  EXPECT_EQ(bad.status, 1) << bad.output;
  EXPECT_NE(bad.output.find("lr_gen"), std::string::npos) << bad.output;
  std::ofstream(script) << "jump 3\n";
  bad = run_app("--script " + script.string());
  EXPECT_EQ(bad.status, 2) << bad.output;
  EXPECT_NE(bad.output.find("unknown command 'jump'"), std::string::npos) << bad.output;
  fs::remove_all(dir);
}

TEST(App, UnknownPresetIsRefusedWithAMessage) {
  if (!have_xvfb()) GTEST_SKIP() << "xvfb-run is not installed";
  const AppRun r = run_app("--preset no-such-preset --frames 2");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("no-such-preset"), std::string::npos) << r.output;
}

}  // namespace
