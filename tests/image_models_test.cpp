// The image networks: the U-Net's preconditioning and conditioning, and the FID classifier
// learning Fashion-MNIST.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "common/rng.h"
#include "data/image_set_loaders.h"
#include "metrics/feature_network.h"
#include "models/generator_conv.h"
#include "models/unet.h"
#include "temp_dir.h"

using namespace scorelab;

namespace {

UNetOptions small_unet(bool alpha, bool head) {
  UNetOptions o;
  o.base = 8;
  o.mults = {1, 2};
  o.attention = true;
  o.alpha_conditioned = alpha;
  o.disc_head = head;
  return o;
}

}  // namespace

TEST(UNet, FreshNetworkIsTheEdmSkipAndScoreIsTweedie) {
  const Rng rng(0, torch::kCPU);
  UNet net(small_unet(false, false), rng);
  auto x = rng.randn({3, 1, 28, 28});
  auto sigma = torch::tensor({0.1f, 1.0f, 10.0f});
  // The output convolution starts at zero, so D = c_skip·x exactly.
  auto d = net->denoise(x, sigma);
  auto s4 = sigma.view({3, 1, 1, 1});
  auto c_skip = 0.25 / (s4 * s4 + 0.25);
  EXPECT_TRUE(torch::allclose(d, c_skip * x, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(net->score(x, sigma), (d - x) / (s4 * s4), 1e-4, 1e-5));
  // After one gradient step the network is no longer the skip: the output layer is trained.
  torch::optim::SGD opt(net->parameters(), 0.1);
  net->denoise(x, sigma).pow(2).mean().backward();
  opt.step();
  EXPECT_FALSE(torch::allclose(net->denoise(x, sigma), c_skip * x, 1e-5, 1e-6));
}

TEST(UNet, AlphaChangesTheOutputAndTheHeadReadsTheBottleneck) {
  const Rng rng(1, torch::kCPU);
  UNet net(small_unet(true, true), rng);
  // The zero-initialised layers (residual branches, output) made non-zero, as training would, so
  // that the conditioning reaches the output.
  {
    torch::NoGradGuard g;
    for (auto& p : net->parameters()) {
      if (p.dim() == 4 && p.abs().max().item<float>() == 0) p.normal_(0, 0.05);
    }
  }
  auto x = rng.randn({2, 1, 32, 32});
  auto sigma = torch::full({2, 1}, 0.5);
  auto a0 = net->denoise(x, sigma, torch::zeros({2, 1}));
  auto a1 = net->denoise(x, sigma, torch::ones({2, 1}));
  EXPECT_GT((a0 - a1).abs().max().item<double>(), 1e-4);
  EXPECT_THROW(net->denoise(x, sigma), std::invalid_argument);
  auto l = net->logit(x, sigma, torch::full({2, 1}, 0.5));
  EXPECT_EQ(l.sizes(), (std::vector<int64_t>{2, 1}));
  l.sum().backward();
  EXPECT_TRUE(net->named_parameters()["disc_head.weight"].grad().defined());
}

TEST(GeneratorConv, MapsLatentsToImagesOfTheAskedSize) {
  const Rng rng(2, torch::kCPU);
  for (int64_t size : {28, 32}) {
    GeneratorConvOptions o;
    o.size = size;
    o.width = 16;
    GeneratorConv g(o, rng);
    auto x = g->forward(rng.randn({5, o.z_dim}));
    EXPECT_EQ(x.sizes(), (std::vector<int64_t>{5, 1, size, size}));
    // Different latents give different images.
    EXPECT_GT((x[0] - x[1]).abs().max().item<double>(), 1e-4);
  }
  EXPECT_THROW(GeneratorConv(GeneratorConvOptions{64, 1, 30, 16}, rng), std::invalid_argument);
}

TEST(FeatureClassifier, LearnsFashionMnistQuickly) {
  if (!std::filesystem::exists(fashion_mnist_dir() + "/t10k-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  ImageSet test = load_fashion_mnist(false, false);
  // 3000 training images from the test file's second half, tested on its first 1000: chance is
  // 10%; a working CNN passes 65% within one epoch of this.
  ImageSet train{test.images.narrow(0, 5000, 3000), test.labels.narrow(0, 5000, 3000), "t10k"};
  ImageSet held{test.images.narrow(0, 0, 1000), test.labels.narrow(0, 0, 1000), "t10k"};
  ClassifierRecipe r;
  r.epochs = 2;
  r.batch = 64;
  FeatureNetwork f = train_feature_classifier(train, held, r, nullptr, torch::kCPU);
  EXPECT_GT(f.test_accuracy, 0.65);
  auto feats = extract_features(f.net, held.images, torch::kCPU);
  EXPECT_EQ(feats.sizes(), (std::vector<int64_t>{1000, 128}));
  EXPECT_EQ(feats.scalar_type(), torch::kDouble);

  // The cache: saved and loaded back it gives the same features; a changed byte is caught.
  const scorelab::testing::TempDir dir("features");
  const std::string path = dir.file("net.pt");
  std::string why;
  EXPECT_FALSE(load_feature_network(path, torch::kCPU, &why));
  EXPECT_NE(why.find("not cached yet"), std::string::npos) << why;
  f.name = "test-classifier";
  save_feature_network(f, path);
  auto back = load_feature_network(path, torch::kCPU, &why);
  ASSERT_TRUE(back) << why;
  EXPECT_EQ(back->name, "test-classifier");
  EXPECT_EQ(back->checksum, f.checksum);
  EXPECT_DOUBLE_EQ(back->test_accuracy, f.test_accuracy);
  EXPECT_TRUE(torch::equal(extract_features(back->net, held.images, torch::kCPU), feats));
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(100);
    const char c = static_cast<char>(file.get());
    file.seekp(100);
    file.put(static_cast<char>(c ^ 1));
  }
  EXPECT_FALSE(load_feature_network(path, torch::kCPU, &why));
  EXPECT_NE(why.find("checksum"), std::string::npos) << why;
}
