// Point files (CSV/TSV/.npy) as training data: parsed values, the errors a user meets, sampling
// from the set, and exact scores that are the set's own empirical mixture.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "common/error.h"
#include "common/rng.h"
#include "data/point_file.h"
#include "data/point_set.h"
#include "settings/presets.h"
#include "settings/settings.h"
#include "temp_dir.h"
#include "train/trainer.h"

using namespace scorelab;

namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string rows(int n, const char* sep) {
  std::string s;
  for (int i = 0; i < n; ++i) s += std::to_string(i) + sep + std::to_string(-0.5 * i) + "\n";
  return s;
}

// The message of what f throws, or "" when it throws nothing.
template <class F>
std::string thrown(F f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// A .npy built here byte by byte (not by npy_bytes): version 1, the given descr and order.
std::string npy(const std::string& descr, bool fortran, int64_t n, int64_t d,
                const std::string& data) {
  std::string h = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                  ", 'shape': (" + std::to_string(n) + ", " + std::to_string(d) + "), }";
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(h.size() & 0xff);
  out += static_cast<char>(h.size() >> 8);
  return out + h + data;
}

}  // namespace

TEST(PointFile, ReadsCsvTsvAndBlankSeparatedTablesWithHeadersAndComments) {
  scorelab::testing::TempDir dir("points");
  write(dir.file("a.csv"), "# a comment\nx,y\n" + rows(12, ","));
  write(dir.file("b.tsv"), rows(12, "\t"));
  write(dir.file("c.txt"), "\n" + rows(12, "   "));
  write(dir.file("d.csv"), "1;+2.5e0\r\n" + rows(11, ";"));
  for (const char* f : {"a.csv", "b.tsv", "c.txt"}) {
    SCOPED_TRACE(f);
    auto t = read_point_file(dir.file(f));
    ASSERT_EQ(t.points.sizes(), torch::IntArrayRef({12, 2}));
    EXPECT_FLOAT_EQ(t.points[7][0].item<float>(), 7.0f);
    EXPECT_FLOAT_EQ(t.points[7][1].item<float>(), -3.5f);
  }
  EXPECT_EQ(read_point_file(dir.file("a.csv")).columns, (std::vector<std::string>{"x", "y"}));
  auto d = read_point_file(dir.file("d.csv"));
  EXPECT_FLOAT_EQ(d.points[0][1].item<float>(), 2.5f);
}

TEST(PointFile, BadFilesNameTheFileTheLineAndTheProblem) {
  scorelab::testing::TempDir dir("points-bad");
  struct Case {
    std::string name, text, expect;
  } cases[] = {
      {"ragged.csv", "x,y\n1,2\n3,4,5\n" + rows(10, ","),
       "line 3: 3 values where the header names 2"},
      {"word.csv", rows(10, ",") + "1,abc\n", "line 11, column 2: \"abc\" is not a number"},
      {"nan.csv", rows(10, ",") + "nan,1\n", "line 11, column 1: nan is not finite"},
      {"inf.tsv", rows(10, "\t") + "1\tinf\n", "column 2: inf is not finite"},
      {"huge.csv", rows(10, ",") + "1e39,0\n", "beyond float32's range"},
      {"few.csv", rows(5, ","), "5 points; at least 10"},
      {"one.csv", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n", "at least 2 per point"},
      {"empty.csv", "# nothing\n", "no rows of numbers"},
      {"binary.csv", std::string("1,2\n\0\0\0", 7), "binary data"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    write(dir.file(c.name), c.text);
    const std::string msg = thrown([&] { read_point_file(dir.file(c.name)); });
    EXPECT_NE(msg.find(dir.file(c.name)), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.expect), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  EXPECT_NE(thrown([&] { read_point_file(dir.file("missing.csv")); }).find("no such file"),
            std::string::npos);
  EXPECT_NE(thrown([&] { read_point_file(dir.path().string()); }).find("is a folder"),
            std::string::npos);
}

TEST(PointFile, NpyFloat32AndFloat64InCAndFortranOrder) {
  // 12 points (i, 10 + i) stored row by row (C) or column by column (Fortran).
  std::string c32, f64;
  for (int i = 0; i < 12; ++i) {
    const float v[2] = {static_cast<float>(i), 10.0f + i};
    c32.append(reinterpret_cast<const char*>(v), sizeof v);
  }
  for (int col = 0; col < 2; ++col) {
    for (int i = 0; i < 12; ++i) {
      const double v = col == 0 ? i : 10.0 + i;
      f64.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
  }
  for (const auto& bytes : {npy("<f4", false, 12, 2, c32), npy("<f8", true, 12, 2, f64)}) {
    auto t = parse_npy(bytes, "a.npy");
    ASSERT_EQ(t.points.sizes(), torch::IntArrayRef({12, 2}));
    EXPECT_FLOAT_EQ(t.points[5][0].item<float>(), 5.0f);
    EXPECT_FLOAT_EQ(t.points[5][1].item<float>(), 15.0f);
  }
  // npy_bytes writes what parse_npy (and NumPy) reads.
  auto p = torch::randn({20, 3});
  EXPECT_TRUE(parse_npy(npy_bytes(p), "r.npy").points.equal(p));

  std::string nan_data = c32;
  const float nan = std::nanf("");
  std::memcpy(&nan_data[8 * 4 + 4], &nan, 4);  // point 5, coordinate 2
  struct Case {
    std::string bytes, expect;
  } cases[] = {
      {npy("<i4", false, 12, 2, c32.substr(0, 96)), "dtype '<i4' is not float32 or float64"},
      {npy(">f4", false, 12, 2, c32), "dtype '>f4'"},
      {npy("<f4", false, 12, 2, c32.substr(0, 90)), "needs more bytes"},
      {npy("<f4", false, 12, 2, c32 + "xxxx"), "is 96 bytes but the file holds 100"},
      {npy("<f4", false, 4611686018427387904, 2, c32), "needs more bytes"},
      {npy("<f4", false, 24, 1, c32), "at least 2 per point"},
      {npy("<f4", false, 12, 2, nan_data), "point 5, coordinate 2 is nan"},
      {std::string("\x93NUMPY\x09\x00", 8) + "xx", "version 9"},
      {std::string("\x93NUMPY\x01\x00\xff\x00", 10), "ends inside its header"},
  };
  for (const auto& c : cases) {
    const std::string msg = thrown([&] { parse_npy(c.bytes, "bad.npy"); });
    EXPECT_NE(msg.find("bad.npy: "), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.expect), std::string::npos) << msg;
  }
}

TEST(PointSet, DrawsOnlyItsOwnPointsAndStandardizes) {
  auto pts =
      torch::tensor({0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 11.0f})
          .view({6, 2});
  PointSetDataset set(pts, "t", false, torch::kCPU);
  EXPECT_EQ(set.dim(), 2);
  Rng rng(3, torch::kCPU);
  auto x = set.sample(600, rng);
  // Every drawn row is one of the set's (first coordinate even, second = first + 1), and
  // every point is drawn about equally often (600 draws, 100 expected each).
  auto first = x.select(1, 0);
  EXPECT_TRUE(x.select(1, 1).equal(first + 1));
  for (int k = 0; k < 6; ++k) {
    const int64_t count = first.eq(2.0f * k).sum().item<int64_t>();
    EXPECT_GT(count, 60);
    EXPECT_LT(count, 140);
  }
  auto s = standardize_points(torch::randn({500, 3}) * torch::tensor({1.0f, 5.0f, 0.1f}) + 7);
  EXPECT_LT(s.mean(0).abs().max().item<float>(), 1e-5);
  EXPECT_NEAR(s.std(0, false).min().item<float>(), 1.0, 1e-4);
  EXPECT_NEAR(s.std(0, false).max().item<float>(), 1.0, 1e-4);
}

TEST(PointSet, ExactScoreIsTheEmpiricalMixtureOfTheFile) {
  // Twelve points; at σ the exact score of the noised set at x is
  //   Σ_i w_i (y_i − x)/σ², w_i ∝ exp(−|x − y_i|²/(2σ²)),
  // computed here in double from the file's points, not by the project's mixture code.
  scorelab::testing::TempDir dir("points-score");
  std::string text = "x,y\n";
  std::vector<std::array<double, 2>> y;
  for (int i = 0; i < 12; ++i) {
    const double a = 2 * M_PI * i / 12;
    y.push_back({std::cos(a), 0.5 * std::sin(a)});
    text += std::to_string(y.back()[0]) + "," + std::to_string(y.back()[1]) + "\n";
  }
  write(dir.file("p.csv"), text);
  // Written with %f: read back what the file holds.
  auto held = read_point_file(dir.file("p.csv")).points.to(torch::kDouble);
  Config c = apply_settings(load_preset("swissroll-dsm"),
                            {"data.name=points", "data.path=" + dir.file("p.csv")});
  Trainer t(c);
  FieldRequest q;
  q.sigma = 0.3;
  q.nx = 4;
  q.ny = 3;
  auto f = t.eval_field(q).get();
  EXPECT_EQ(f.exact_kind, "empirical");
  const double s2 = q.sigma * q.sigma;
  for (int64_t k = 0; k < f.points.size(0); ++k) {
    const double px = f.points[k][0].item<double>(), py = f.points[k][1].item<double>();
    double wsum = 0, sx = 0, sy = 0, wmax = -1e300;
    std::vector<double> logw;
    for (int64_t i = 0; i < held.size(0); ++i) {
      const double dx = held[i][0].item<double>() - px, dy = held[i][1].item<double>() - py;
      logw.push_back(-(dx * dx + dy * dy) / (2 * s2));
      wmax = std::max(wmax, logw.back());
    }
    for (int64_t i = 0; i < held.size(0); ++i) {
      const double w = std::exp(logw[i] - wmax);
      wsum += w;
      sx += w * (held[i][0].item<double>() - px) / s2;
      sy += w * (held[i][1].item<double>() - py) / s2;
    }
    EXPECT_NEAR(f.exact[k][0].item<double>(), sx / wsum, 1e-3 * (1 + std::abs(sx / wsum)));
    EXPECT_NEAR(f.exact[k][1].item<double>(), sy / wsum, 1e-3 * (1 + std::abs(sy / wsum)));
  }
  // The run names its data and says its batches repeat points.
  auto snap = t.snapshot();
  EXPECT_NE(snap->data_description.find("12 points of 2 coordinates"), std::string::npos);
  EXPECT_NE(snap->data_notice.find("fewer than a batch"), std::string::npos);
}

TEST(PointSet, SettingsThatOnlyMakeSenseTogetherAreCheckedTogether) {
  const Config base = load_preset("swissroll-dsm");
  EXPECT_NE(thrown([&] { apply_setting(base, "data.name=points"); }).find("needs data.path"),
            std::string::npos);
  EXPECT_NO_THROW(apply_settings(base, {"data.name=points", "data.path=x.csv"}));
  // Each setting's own checks still name it.
  EXPECT_NE(thrown([&] {
              apply_settings(base, {"data.name=points", "optim.lr_score=-1"});
            }).find("optim.lr_score = -1 is out of range"),
            std::string::npos);
}
