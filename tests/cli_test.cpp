// scorelab-cli as a user runs it: exit codes, one-line errors, nothing half-written.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli_runner.h"
#include "common/atomic_file.h"
#include "methods/method_registry.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

namespace {

using Result = scorelab::testing::CliResult;
using scorelab::testing::run_cli;

fs::path temp_dir() {
  auto d = fs::temp_directory_path() / ("scorelab_cli_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

int lines(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

TEST(Cli, BadInputFailsWithOneLineNamingTheProblem) {
  const auto d = temp_dir();
  struct Case {
    std::string args, expect;
  } cases[] = {
      {"train --preset nosuch --out " + (d / "a").string(), "unknown preset 'nosuch'"},
      {"train --preset gauss8-dsm --set optim.lr_score=-1 --out " + (d / "b").string(),
       "optim.lr_score = -1 is out of range"},
      {"train --preset gauss8-dsm --set optim.nope=1 --out " + (d / "c").string(),
       "unknown setting 'optim.nope'"},
      {"train --config " + (d / "missing.json").string(), "missing.json"},
      {"train --preset gauss8-dsm --device cuda:7 --out " + (d / "e").string(), "run.device"},
      {"eval --checkpoint " + (d / "missing.ckpt").string(), "missing.ckpt"},
      {"train --preset gauss8-dsm --set method.name=smd --set method.teacher=" +
           (d / "none.ckpt").string() + " --out " + (d / "a").string(),
       "method.teacher: cannot read"},
      {"train --preset gauss8-dsm --set method.name=smt --set method.alpha_sampler=fixed "
       "--set method.alpha_fixed=0 --out " +
           (d / "b").string(),
       "method.alpha_fixed has no value above 0"},
      {"train --preset gauss8-dsm --set method.alpha_fixed=0,x --out " + (d / "c").string(),
       "method.alpha_fixed = \"0,x\" must be a list of numbers"},
  };
  for (const auto& c : cases) {
    const Result r = run_cli(c.args);
    EXPECT_NE(r.code, 0) << c.args;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << c.args << "\n" << r.out;
    EXPECT_EQ(lines(r.out), 1) << c.args << "\n" << r.out;
  }
  // Nothing was created for the failed runs.
  EXPECT_FALSE(fs::exists(d / "a"));
  EXPECT_FALSE(fs::exists(d / "b"));
  EXPECT_NE(run_cli("train --no-such-flag").code, 0);
  EXPECT_NE(run_cli("").code, 0);
}

TEST(Cli, CorruptCheckpointIsNamed) {
  const auto d = temp_dir();
  scorelab::write_file_atomically((d / "bad.ckpt").string(), std::string("garbage"));
  const Result r = run_cli("sample --checkpoint " + (d / "bad.ckpt").string() + " --out " +
                           (d / "s.png").string());
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("bad.ckpt: not a scorelab checkpoint"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(d / "s.png"));
}

TEST(Cli, TrainSampleEvalEndToEnd) {
  const auto d = temp_dir() / "run";
  const Result t = run_cli("train --preset gauss8-dsm --steps 300 --out " + d.string() +
                           " --set run.eval_every=0 --set sampler.steps_per_level=20");
  ASSERT_EQ(t.code, 0) << t.out;
  EXPECT_NE(t.out.find("throughput: score"), std::string::npos) << t.out;
  for (const char* f : {"config.json", "metrics.csv", "checkpoint.ckpt", "samples.png"}) {
    EXPECT_TRUE(fs::exists(d / f)) << f;
  }
  const std::string ck = (d / "checkpoint.ckpt").string();
  const Result s =
      run_cli("sample --checkpoint " + ck + " --n 500 --out " + (d / "s.csv").string());
  ASSERT_EQ(s.code, 0) << s.out;
  EXPECT_EQ(lines(scorelab::read_file((d / "s.csv").string())), 501);
  const Result e = run_cli("eval --checkpoint " + ck + " --n 500 --json");
  ASSERT_EQ(e.code, 0) << e.out;
  const auto j = nlohmann::json::parse(e.out);
  for (const char* k : {"sliced_w2", "sliced_w2_floor", "modes_covered", "modes_total",
                        "high_quality_rate", "mode_weights", "true_mode_weights", "nll"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_EQ(j["modes_total"], 8);
  EXPECT_EQ(j["step"], 300);
  // With the closed-form score the sampler alone decides quality: all 8 modes, nearly all
  // samples within 3 std of one.
  const Result exact = run_cli("eval --checkpoint " + ck + " --n 500 --score exact --json");
  ASSERT_EQ(exact.code, 0) << exact.out;
  const auto je = nlohmann::json::parse(exact.out);
  EXPECT_EQ(je["modes_covered"], 8);
  EXPECT_GT(je["high_quality_rate"].get<double>(), 0.9);
  const Result onestep =
      run_cli("sample --checkpoint " + ck + " --sampler onestep --out " + (d / "o.png").string());
  EXPECT_NE(onestep.code, 0);
  EXPECT_NE(onestep.out.find("needs a method with a generator"), std::string::npos) << onestep.out;
  const Result presets = run_cli("presets");
  EXPECT_EQ(presets.code, 0);
  EXPECT_NE(presets.out.find("swissroll-dsm"), std::string::npos);
  const Result settings = run_cli("settings --preset twomodes-dsm");
  EXPECT_EQ(settings.code, 0);
  EXPECT_NE(settings.out.find("optim.lr_score"), std::string::npos) << settings.out;
  EXPECT_NE(settings.out.find("uniform"), std::string::npos) << "the preset's sampler.init";
  EXPECT_NE(settings.out.find("(0, 1]"), std::string::npos);
}

// A one-step method: `auto` samples with the generator; a GAN has no score to run Langevin on.
TEST(Cli, GanSamplesOneStepAndRefusesLangevin) {
  const auto d = temp_dir() / "gan";
  const Result t = run_cli("train --preset gauss8-gan --steps 50 --out " + d.string() +
                           " --set run.eval_every=0");
  ASSERT_EQ(t.code, 0) << t.out;
  const std::string ck = (d / "checkpoint.ckpt").string();
  const Result e = run_cli("eval --checkpoint " + ck + " --n 300 --json");
  ASSERT_EQ(e.code, 0) << e.out;
  EXPECT_EQ(nlohmann::json::parse(e.out)["sampler"], "onestep");
  const Result a = run_cli("eval --checkpoint " + ck + " --n 300 --sampler annealed");
  EXPECT_NE(a.code, 0);
  EXPECT_NE(a.out.find("gan learns none"), std::string::npos) << a.out;
  EXPECT_EQ(lines(a.out), 1) << a.out;
  const Result b = run_cli("train --preset gauss8-gan --steps 5 --out " + (d / "x").string() +
                           " --set optim.gen_batch=-1");
  EXPECT_NE(b.code, 0);
  EXPECT_NE(b.out.find("optim.gen_batch"), std::string::npos) << b.out;
  EXPECT_FALSE(fs::exists(d / "x" / "checkpoint.ckpt"));
}

// SMD's in-run teacher phase updates only the teacher: the progress line must show its rate, not
// the idle generator's 0 steps/s.
TEST(Cli, ProgressShowsTheTeacherPhasesStepRate) {
  const auto d = temp_dir() / "teacher";
  // Off a terminal the bar prints a line every 5 s: the run stays in the teacher phase for 7 s
  // (a step count would finish before the second line once steps get faster).
  const Result t = run_cli("train --preset swissroll-smd --seconds 7 --out " + d.string() +
                           " --set method.teacher_steps=1000000 --set run.eval_every=0");
  ASSERT_EQ(t.code, 0) << t.out;
  const std::regex teacher_rate(R"(\(training the teacher: step \d+/1000000\)  ([0-9]+) steps/s)");
  int nonzero = 0;
  for (std::sregex_iterator it(t.out.begin(), t.out.end(), teacher_rate), end; it != end; ++it)
    if (std::stoi((*it)[1]) > 0) ++nonzero;
  EXPECT_GT(nonzero, 0) << t.out;
}

// Corners of a square and the same shifted by 3: equal covariances, so the distance is 3² = 9.
TEST(Cli, FidOfFeatureFilesHasItsClosedForm) {
  const auto dir = temp_dir();
  const auto a = (dir / "a.csv").string(), b = (dir / "b.csv").string();
  std::ofstream(a) << "x,y\n-1,-1\n1,-1\n-1,1\n1,1\n";
  std::ofstream(b) << "2,-1\n4,-1\n2,1\n4,1\n";
  Result r = run_cli("fid --features " + a + " " + b);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find(": 9.000000"), std::string::npos) << r.out;
  // Two samples in two dimensions: refused, naming the file.
  std::ofstream(b) << "2,-1\n4,-1\n";
  r = run_cli("fid --features " + a + " " + b);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("b.csv: 2 samples of dimension 2"), std::string::npos) << r.out;
  scorelab::testing::remove_tree(dir);
}

TEST(Cli, MethodsListsTheRegistry) {
  const Result r = run_cli("methods");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const auto& m : scorelab::method_registry()) {
    EXPECT_NE(r.out.find(m.name + "  " + m.summary), std::string::npos) << m.name;
  }
  EXPECT_NE(r.out.find("samplers: onestep; losses: disc, gen"), std::string::npos) << r.out;
}
