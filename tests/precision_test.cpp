// run.precision: bf16 autocast on CUDA (skipped where this libtorch or machine has no GPU) and a
// clear refusal everywhere else.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "common/autocast_scope.h"
#include "common/error.h"
#include "data/image_dataset.h"
#include "settings/presets.h"
#include "train/run_parts.h"

using namespace scorelab;

TEST(Precision, Bf16OnTheCpuIsRefusedNamingTheSetting) {
  Config c = load_preset("gauss8-dsm");
  c.run.device = "cpu";
  c.run.precision = "bf16";
  try {
    build_run(c);
    FAIL() << "bf16 on the CPU was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("run.precision"), std::string::npos) << e.what();
  }
}

TEST(Precision, AutocastScopeCastsCudaMatmulsAndRestoresOnExit) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const auto o = torch::TensorOptions().device(torch::kCUDA);
  const torch::Tensor a = torch::randn({8, 8}, o), b = torch::randn({8, 8}, o);
  {
    CudaBf16Autocast outer(true);
    {
      CudaBf16Autocast inner(true);
      EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kBFloat16);
    }
    EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kBFloat16);  // still inside the outer scope
    // Elementwise ops keep float32: only autocast's listed ops are lowered.
    EXPECT_EQ((a + b).scalar_type(), torch::kFloat);
  }
  EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kFloat);
  CudaBf16Autocast off(false);
  EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kFloat);
}

TEST(Precision, Bf16ImageStepsTrainOnTheGpuWithFloat32Parameters) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  if (!std::filesystem::exists(fashion_mnist_dir() + "/t10k-images-idx3-ubyte.gz")) {
    GTEST_SKIP() << "Fashion-MNIST not installed";
  }
  for (const char* preset : {"fmnist-smt-gpu", "fmnist-dsm-gpu"}) {
    Config c = load_preset(preset);
    c.run.device = "cuda";
    c.run.precision = "bf16";
    c.data.limit = 1000;
    c.optim.batch = 16;
    c.method.pretrain_steps = 0;  // every network trains within the 5 steps
    RunParts run = build_run(c);
    std::vector<torch::Tensor> losses;
    for (int i = 0; i < 5; ++i) run.method->step(losses);
    ASSERT_EQ(losses.size(), run.method->loss_names().size());
    for (const auto& l : losses) {
      EXPECT_EQ(l.scalar_type(), torch::kFloat) << preset;
      EXPECT_TRUE(std::isfinite(l.item<double>())) << preset;
    }
    for (auto* net : run.method->networks()) {
      EXPECT_GT(net->updates(), 0) << preset << " " << net->name();
      for (const auto& p : net->module().parameters()) {
        EXPECT_EQ(p.scalar_type(), torch::kFloat) << preset << " " << net->name();
        EXPECT_TRUE(p.is_cuda());
        EXPECT_TRUE(torch::isfinite(p).all().item<bool>()) << preset << " " << net->name();
      }
    }
    const torch::Tensor x = run.data->sample(4, *run.rng);
    const torch::Tensor s = run.method->score(run.method->score_models().front(), x, 1.0, 1.0);
    EXPECT_EQ(s.scalar_type(), torch::kFloat) << preset;  // sampling stays float32
    EXPECT_TRUE(s.is_cuda());
  }
}
