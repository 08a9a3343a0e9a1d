// The methods on images: the U-Net behind the row interface, the image roles' closed forms, FID
// against its own reference, and a short run of every method on Fashion-MNIST with FID in
// metrics.csv and a sample grid.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/rng.h"
#include "config/config.h"
#include "data/image_dataset.h"
#include "metrics/fid_evaluator.h"
#include "models/unet.h"
#include "models/unet_roles.h"
#include "temp_dir.h"
#include "train/run_parts.h"
#include "train/trainer.h"

using namespace scorelab;

namespace {

bool have_fashion_mnist() {
  return std::filesystem::exists(fashion_mnist_dir() + "/t10k-images-idx3-ubyte.gz");
}

// A quickly trained stand-in for the FID network, cached where fmnist_feature_network looks
// (the real one takes minutes); named so that its figures say they came from it.
void cache_small_feature_network(const std::string& cache) {
  ::setenv("SCORELAB_CACHE", cache.c_str(), 1);
  ImageSet test = load_fashion_mnist(false, false);
  ImageSet train{test.images.narrow(0, 5000, 2000), test.labels.narrow(0, 5000, 2000), "t10k"};
  ImageSet held{test.images.narrow(0, 0, 500), test.labels.narrow(0, 0, 500), "t10k"};
  ClassifierRecipe r;
  r.epochs = 1;
  r.batch = 64;
  r.width = 8;
  FeatureNetwork f = train_feature_classifier(train, held, r, nullptr, torch::kCPU);
  f.name = "fmnist-classifier-test";
  save_feature_network(f, fmnist_feature_network_path());
}

Config image_config(const std::string& method) {
  Config c;
  c.data.name = "fashion-mnist";
  c.data.limit = 2000;
  c.method.name = method;
  c.method.score_steps = 1;
  c.method.teacher_steps = 5;
  c.model.unet_base = 8;
  c.model.unet_levels = 2;
  c.model.z_dim = 16;
  c.model.gen_width = 8;
  c.model.sigma_data = 0.5;
  c.noise.sigma_min = 0.01;
  c.noise.sigma_max = 20;
  c.optim.batch = 8;
  c.sampler.levels = 2;
  c.sampler.steps_per_level = 2;
  c.sampler.sigma_max = 20;
  c.run.device = "cpu";
  c.run.log_every = 2;
  c.run.csv_every = 5;
  c.run.eval_every = 10;
  c.run.eval_samples = 300;  // above the 128 feature dimensions
  return c;
}

}  // namespace

TEST(ImageNetworks, UNetReadsRowsAsImages) {
  const Rng rng(3, torch::kCPU);
  UNetOptions o;
  o.base = 8;
  o.mults = {1, 2};
  o.size = 28;
  o.alpha_conditioned = true;
  UNet net(o, rng);
  {
    torch::NoGradGuard g;
    for (auto& p : net->parameters()) p.add_(0.01 * torch::randn_like(p));
  }
  auto x = rng.randn({4, 1, 28, 28});
  auto sigma = torch::tensor({0.1f, 0.5f, 2.0f, 8.0f}).view({4, 1});
  auto alpha = torch::tensor({0.0f, 0.3f, 0.7f, 1.0f}).view({4, 1});
  auto images = net->denoise(x, sigma, alpha);
  auto rows = net->denoise(x.reshape({4, 784}), sigma, alpha);
  EXPECT_EQ(rows.sizes(), (std::vector<int64_t>{4, 784}));
  EXPECT_TRUE(torch::allclose(rows, images.reshape({4, 784}), 1e-5, 1e-6));
  // Tweedie through the row interface: s = (D − x)/σ² per row.
  auto s = net->score(x.reshape({4, 784}), sigma, alpha);
  EXPECT_TRUE(torch::allclose(s, (rows - x.reshape({4, 784})) / sigma.square(), 1e-4, 1e-5));
  EXPECT_THROW(net->denoise(rng.randn({2, 100}), sigma.narrow(0, 0, 2), alpha.narrow(0, 0, 2)),
               std::invalid_argument);
}

TEST(ImageNetworks, UNetGeneratorStartsAsTheSkipOfSigmaMaxZ) {
  // g(z) = D(σ_max·z; σ_max); a fresh U-Net's output layer is zero, so g(z) = c_skip·σ_max·z
  // with c_skip = σ_d²/(σ_max² + σ_d²).
  const Rng rng(4, torch::kCPU);
  UNetOptions o;
  o.base = 8;
  o.mults = {1, 2};
  o.size = 28;
  o.sigma_data = 0.5;
  GeneratorUNet g(o, 10.0, rng);
  auto z = rng.randn({3, 784});
  const double c_skip = 0.25 / (100.0 + 0.25);
  EXPECT_TRUE(torch::allclose(g->generate_rows(z), c_skip * 10.0 * z, 1e-5, 1e-6));
  DiscriminatorUNet d(o, 0.01, rng);
  EXPECT_EQ(d->discriminate(z, {}).sizes(), (std::vector<int64_t>{3, 1}));
}

TEST(ImageData, ConfigErrorsNameTheSetting) {
  Config c;
  c.data.name = "mnist-idx";
  try {
    build_run(c);
    FAIL() << "mnist-idx without a path was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("data.path"), std::string::npos) << e.what();
  }
  c.data.path = "/nonexistent/images-idx3-ubyte";
  try {
    build_run(c);
    FAIL() << "a missing IDX file was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/images-idx3-ubyte"), std::string::npos)
        << e.what();
  }
  Config points;
  points.model.generator = "conv";
  points.method.name = "smt";
  try {
    build_run(points);
    FAIL() << "a conv generator on 2-D points was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.generator"), std::string::npos) << e.what();
  }
}

TEST(Fid, ReferenceImagesScoreZeroAndTheFloorIsTrainAgainstTest) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const scorelab::testing::TempDir cache("fid-cache");
  cache_small_feature_network(cache.path().string());
  ImageDataset data("fashion-mnist", load_fashion_mnist(true, false),
                    load_fashion_mnist(false, false), torch::kCPU);
  FidEvaluator fid(data, torch::kCPU, nullptr, 2000);
  EXPECT_EQ(fid.label(), "FID (fmnist-classifier-test features)");
  // The reference set against itself: the same Gaussian, distance 0 (up to the square root's
  // rounding).
  const auto test_rows = data.test().images.narrow(0, 0, 2000).reshape({2000, 784});
  EXPECT_NEAR(fid.fid(test_rows), 0.0, 1e-6);
  // The floor is the training images' distance; it is what those rows score.
  const auto train_rows = data.train().images.narrow(0, 0, 2000).reshape({2000, 784});
  EXPECT_NEAR(fid.fid(train_rows), fid.floor(), 1e-9);
  EXPECT_GT(fid.floor(), 0.0);
  // Noise is far from clothes.
  EXPECT_GT(fid.fid(torch::rand({2000, 784}) * 2 - 1), 20 * fid.floor());
}

class ImageRun : public ::testing::TestWithParam<const char*> {};

TEST_P(ImageRun, TrainsWithFidInMetricsAndASampleGrid) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const scorelab::testing::TempDir dir(std::string("image-run-") + GetParam());
  cache_small_feature_network(dir.file("cache"));
  Config c = image_config(GetParam());
  c.run.steps = 20;
  const std::string out = dir.file("run");
  {
    Trainer t(c, out);
    t.resume();
    auto s = t.wait_for(
        [](const Snapshot& s) {
          return s.state != RunState::running && s.state != RunState::paused;
        },
        240);
    ASSERT_EQ(s->state, RunState::finished) << s->error;
    EXPECT_EQ(s->image_shape.numel(), 784);
    EXPECT_EQ(s->fid_label, "FID (fmnist-classifier-test features)");
    ASSERT_TRUE(s->preview_images.defined());
    EXPECT_EQ(s->preview_images.sizes(), (std::vector<int64_t>{64, 784}));
    const Series* fid = s->metric(s->fid_metric);
    const Series* floor = s->metric(s->fid_floor_metric);
    ASSERT_TRUE(fid && floor && !fid->empty() && !floor->empty());
    EXPECT_TRUE(std::isfinite(fid->last()));
    // 20 steps from scratch are far from the data; real images are not.
    EXPECT_GT(fid->last(), 3 * floor->last());
  }
  std::ifstream csv(out + "/metrics.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_NE(header.find("fid_fmnist_classifier"), std::string::npos) << header;
  EXPECT_NE(header.find("fid_fmnist_classifier_floor"), std::string::npos) << header;
  EXPECT_TRUE(std::filesystem::exists(out + "/samples.png"));
  EXPECT_TRUE(std::filesystem::exists(out + "/checkpoint.ckpt"));
}

INSTANTIATE_TEST_SUITE_P(Methods, ImageRun, ::testing::Values("smt", "smd", "smm", "dsm", "gan"));
