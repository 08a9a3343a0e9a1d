// `scorelab-cli fid --features A.csv B.csv`: the Fréchet distance between two feature files, so
// the figure can be checked against other tools. `scorelab-cli fid --checkpoint FILE`: FID of an
// image model's samples against the test split, beside the real-vs-real floor.
// `scorelab-cli features`: the FID feature network, trained and cached once.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "common/device.h"
#include "common/error.h"
#include "common/process_setup.h"
#include "data/image_dataset.h"
#include "metrics/feature_network.h"
#include "metrics/fid_evaluator.h"
#include "metrics/frechet_distance.h"
#include "sample/draw_samples.h"
#include "train/run_parts.h"

namespace scorelab::cli {

namespace {

struct FidOptions {
  std::vector<std::string> files;
  std::string checkpoint, sampler, device;
  int64_t n = 10000, seed = 1, threads = 1;
};

int fid_of_checkpoint(const FidOptions& o) {
  set_compute_threads(static_cast<int>(o.threads));
  RunParts run = load_run(o.checkpoint, o.device);
  auto* images = dynamic_cast<const ImageDataset*>(run.data.get());
  if (!images) {
    throw ConfigError(o.checkpoint + " was trained on " + run.config.data.name +
                      ", not on images: use scorelab-cli eval");
  }
  ProgressBar bar;
  FidEvaluator fid(*images, run.device, [&](double fraction, double) {
    bar.update(fraction, "training the FID feature network");
  });
  bar.finish();
  const std::string sampler =
      resolve_sampler(*run.method, o.sampler.empty() ? run.config.sampler.kind : o.sampler);
  std::printf("sampling %lld images (%s) from %s, step %lld ...\n", static_cast<long long>(o.n),
              sampler.c_str(), o.checkpoint.c_str(), static_cast<long long>(run.step));
  std::fflush(stdout);
  const SampleResult s = draw_samples(*run.method, run.config.sampler, sampler, o.n,
                                      run.data->dim(), static_cast<uint64_t>(o.seed), run.device);
  const double value = fid.fid(s.samples);
  std::printf(
      "%s: %.3f  (%lld %s samples against the %s test split, %lld evaluations each, "
      "%.1f s)\n",
      fid.label().c_str(), value, static_cast<long long>(s.samples.size(0)), sampler.c_str(),
      run.config.data.name.c_str(), static_cast<long long>(s.nfe), s.seconds);
  std::printf("real-vs-real floor (train vs test, %s): %.3f\n", fid.label().c_str(), fid.floor());
  std::printf("feature network %s: test accuracy %.2f%%, checksum %s\n", fid.network().name.c_str(),
              100 * fid.network().test_accuracy, fid.network().checksum.c_str());
  return 0;
}

}  // namespace

Runner add_fid_command(CLI::App& app) {
  auto o = std::make_shared<FidOptions>();
  auto* sub = app.add_subcommand(
      "fid", "FID of an image checkpoint, or the Fréchet distance of two feature files (float64)");
  auto* features =
      sub->add_option("--features", o->files,
                      "two feature files, one sample per row (comma, space or tab separated)")
          ->expected(2);
  auto* checkpoint = sub->add_option(
      "--checkpoint", o->checkpoint,
      "an image run's checkpoint: FID of its samples against the test split, and the floor");
  features->excludes(checkpoint);
  sub->add_option("--n", o->n, "samples (--checkpoint; 10000 for reported figures)")
      ->check(CLI::Range(int64_t{200}, int64_t{1000000}));
  sub->add_option("--sampler", o->sampler, "auto | onestep | annealed | langevin")
      ->check(CLI::IsMember({"auto", "onestep", "annealed", "langevin"}));
  sub->add_option("--seed", o->seed, "sampling seed");
  sub->add_option("--device", o->device, "auto | cpu | cuda | cuda:N (default: the run's)");
  sub->add_option("--threads", o->threads, "intra-op CPU threads")->check(CLI::Range(1, 256));
  return [o]() -> int {
    if (!o->checkpoint.empty()) return fid_of_checkpoint(*o);
    if (o->files.size() != 2) throw ConfigError("fid: give --features A B or --checkpoint FILE");
    const auto& f = o->files;
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
