#include "data/toy_datasets.h"

#include <torch/torch.h>

#include <cmath>

#include "common/rng.h"

namespace scorelab {

namespace {

torch::TensorOptions f64() {
  return torch::TensorOptions().dtype(torch::kDouble);
}

class MixtureDataset : public ToyDataset {
 public:
  MixtureDataset(std::string name, std::string description, GaussianMixture mixture)
      : name_(std::move(name)),
        description_(std::move(description)),
        mixture_(std::move(mixture)) {}
  std::string name() const override { return name_; }
  std::string description() const override { return description_; }
  torch::Tensor sample(int64_t n, const Rng& rng) const override { return mixture_.sample(n, rng); }
  const GaussianMixture* mixture() const override { return &mixture_; }

 private:
  std::string name_, description_;
  GaussianMixture mixture_;
};

class SwissRoll : public ToyDataset {
 public:
  std::string name() const override { return "swissroll"; }
  std::string description() const override { return "swiss roll (t cos t, t sin t)/7.5"; }
  torch::Tensor sample(int64_t n, const Rng& rng) const override {
    auto t = 1.5 * M_PI + 3.0 * M_PI * rng.rand({n, 1});
    auto x = torch::cat({t * torch::cos(t), t * torch::sin(t)}, 1) + 0.25 * rng.randn({n, 2});
    return x / 7.5;
  }
};

class Circle : public ToyDataset {
 public:
  std::string name() const override { return "circle"; }
  std::string description() const override { return "circle of radius 1.5, noise 0.05"; }
  torch::Tensor sample(int64_t n, const Rng& rng) const override {
    auto a = 2.0 * M_PI * rng.rand({n, 1});
    return 1.5 * torch::cat({torch::cos(a), torch::sin(a)}, 1) + 0.05 * rng.randn({n, 2});
  }
};

class Moons : public ToyDataset {
 public:
  std::string name() const override { return "moons"; }
  std::string description() const override { return "two interleaved half circles"; }
  torch::Tensor sample(int64_t n, const Rng& rng) const override {
    auto a = M_PI * rng.rand({n, 1});
    auto lower = (rng.rand({n, 1}) < 0.5).to(torch::kFloat);  // which moon
    auto x = torch::cos(a) * (1 - 2 * lower) + lower;         // upper: cos a; lower: 1 − cos a
    auto y = torch::sin(a) * (1 - 2 * lower) + 0.5 * lower;   // upper: sin a; lower: 0.5 − sin a
    auto pts = torch::cat({x - 0.5, y - 0.25}, 1);
    return pts + 0.05 * rng.randn({n, 2});
  }
};

class Checkerboard : public ToyDataset {
 public:
  std::string name() const override { return "checkerboard"; }
  std::string description() const override { return "8 dark squares of a 4x4 board on [-2,2]^2"; }
  torch::Tensor sample(int64_t n, const Rng& rng) const override {
    // Pick one of the 8 squares (i, j) with (i + j) even, then a uniform point inside it.
    auto cell = rng.randint(8, {n});
    auto row = torch::floor_divide(cell, 2);
    auto col = 2 * torch::remainder(cell, 2) + torch::remainder(row, 2);
    auto u = rng.rand({n, 2});
    auto x = col.to(torch::kFloat).unsqueeze(1) + u.narrow(1, 0, 1) - 2;
    auto y = row.to(torch::kFloat).unsqueeze(1) + u.narrow(1, 1, 1) - 2;
    return torch::cat({x, y}, 1);
  }
};

}  // namespace

GaussianMixture gauss8_mixture() {
  auto k = torch::arange(8, f64());
  auto ang = k * (2 * M_PI / 8);
  auto means = 2.0 * torch::stack({torch::cos(ang), torch::sin(ang)}, 1);
  return GaussianMixture(torch::full({8}, 1.0 / 8, f64()), means,
                         torch::full({8}, 0.05 * 0.05, f64()));
}

GaussianMixture gauss25_mixture() {
  std::vector<double> m;
  for (int i = -2; i <= 2; ++i)
    for (int j = -2; j <= 2; ++j) {
      m.push_back(2.0 * i);
      m.push_back(2.0 * j);
    }
  auto means = torch::tensor(m, f64()).view({25, 2});
  return GaussianMixture(torch::full({25}, 1.0 / 25, f64()), means,
                         torch::full({25}, 0.05 * 0.05, f64()));
}

GaussianMixture twomodes_mixture() {
  auto means = torch::tensor({5.0, 5.0, -5.0, -5.0}, f64()).view({2, 2});
  return GaussianMixture(torch::tensor({0.2, 0.8}, f64()), means, torch::ones({2}, f64()));
}

std::unique_ptr<ToyDataset> make_swissroll() {
  return std::make_unique<SwissRoll>();
}
std::unique_ptr<ToyDataset> make_gauss8() {
  return std::make_unique<MixtureDataset>("gauss8", "8 Gaussians on a ring of radius 2, std 0.05",
                                          gauss8_mixture());
}
std::unique_ptr<ToyDataset> make_gauss25() {
  return std::make_unique<MixtureDataset>("gauss25", "25 Gaussians on a 5x5 grid, std 0.05",
                                          gauss25_mixture());
}
std::unique_ptr<ToyDataset> make_twomodes() {
  return std::make_unique<MixtureDataset>(
      "twomodes", "1/5 N((5,5),I) + 4/5 N((-5,-5),I), the Langevin mixing test",
      twomodes_mixture());
}
std::unique_ptr<ToyDataset> make_circle() {
  return std::make_unique<Circle>();
}
std::unique_ptr<ToyDataset> make_moons() {
  return std::make_unique<Moons>();
}
std::unique_ptr<ToyDataset> make_checkerboard() {
  return std::make_unique<Checkerboard>();
}

}  // namespace scorelab
