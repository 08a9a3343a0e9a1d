// `scorelab-cli fid --features A.csv B.csv`: the Fréchet distance between two feature files, so
// the figure can be checked against other tools.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
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
    std::printf("Fréchet distance (features of %s vs %s): %.6f\n", f[0].c_str(), f[1].c_str(),
                fd);
    std::printf("samples %lld and %lld, dimension %lld\n", static_cast<long long>(a.n),
                static_cast<long long>(b.n), static_cast<long long>(a.mean.numel()));
    return 0;
  };
}

}  // namespace scorelab::cli
