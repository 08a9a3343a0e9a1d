// `scorelab-cli fid --features A.csv B.csv`: the Fréchet distance between two feature files, so
// the figure can be checked against other tools. `scorelab-cli features`: the FID feature
// network, trained and cached once.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "common/device.h"
#include "metrics/feature_network.h"
#include "metrics/frechet_distance.h"

namespace scorelab::cli {

Runner add_fid_command(CLI::App& app) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto* sub = app.add_subcommand(
      "fid", "Fréchet distance between Gaussians fitted to two feature sets (float64)");
  sub->add_option("--features", *files,
                  "two feature files, one sample per row (comma, space or tab separated)")
      ->expected(2)
      ->required();
  return [files]() -> int {
    const auto& f = *files;
    const GaussianFit a = fit_gaussian(read_feature_csv(f[0]), f[0]);
    const GaussianFit b = fit_gaussian(read_feature_csv(f[1]), f[1]);
    const double fd = frechet_distance(a, b);
    std::printf("Fréchet distance (features of %s vs %s): %.6f\n", f[0].c_str(), f[1].c_str(), fd);
    std::printf("samples %lld and %lld, dimension %lld\n", static_cast<long long>(a.n),
                static_cast<long long>(b.n), static_cast<long long>(a.mean.numel()));
    return 0;
  };
}

Runner add_features_command(CLI::App& app) {
  struct Options {
    bool retrain = false;
    std::string device = "auto";
    ClassifierRecipe recipe;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand(
      "features", "Train (once) and show the FID feature network: a Fashion-MNIST classifier");
  sub->add_flag("--retrain", o->retrain, "train again even when a cached network exists");
  sub->add_option("--device", o->device, "auto | cpu | cuda | cuda:N");
  sub->add_option("--epochs", o->recipe.epochs,
                  "training epochs (another value names another network)")
      ->check(CLI::Range(1, 1000));
  sub->add_option("--width", o->recipe.width, "channels of the first convolutions")
      ->check(CLI::Range(4, 512));
  return [o]() -> int {
    const torch::Device device = resolve_device(o->device);
    ProgressBar bar;
    const auto t0 = std::chrono::steady_clock::now();
    FeatureNetwork f = fmnist_feature_network(
        [&](double fraction, double loss) {
          char text[64];
          std::snprintf(text, sizeof text, "training the classifier, loss %.3f", loss);
          bar.update(fraction, text);
        },
        device, o->retrain, o->recipe);
    bar.finish();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("FID feature network %s: test accuracy %.2f%% (Fashion-MNIST test split)\n",
                f.name.c_str(), 100 * f.test_accuracy);
    std::printf("checksum %s, %s (%.1f s)\n", f.checksum.c_str(), f.path.c_str(), seconds);
    return 0;
  };
}

}  // namespace scorelab::cli
