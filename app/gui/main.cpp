// scorelab: the desktop app. Opens on a preset and trains at once; see ui/app.h.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>

#include "../parse_error.h"
#include "app.h"
#include "common/process_setup.h"
#include "frame_bench.h"

int main(int argc, char** argv) {
  scorelab::setup_process();
  scorelab::ui::AppOptions o;
  CLI::App cli{"scorelab: train one-step score-based generative models live and watch them learn"};
  cli.add_option("--preset", o.preset, "preset to open (scorelab-cli presets lists them)")
      ->capture_default_str();
  cli.add_option("--config", o.config_file, "a JSON config file instead of a preset");
  cli.add_option("--device", o.device, "auto | cpu | cuda | cuda:N (default: the preset's)");
  cli.add_option("--set", o.settings, "override a setting, key=value (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cli.add_option("--screenshot", o.screenshot,
                 "write the window as PNG after --frames frames, exit");
  cli.add_option("--frames", o.frames, "frames to render (with --screenshot: before writing it)")
      ->check(CLI::Range(1, 1000000));
  cli.add_option("--watch", o.watch,
                 "follow a run folder another process writes (rank 0 of a cluster run, a CLI "
                 "run): its curves, its latest checkpoint's samples and fields; read-only");
  cli.add_option("--script", o.script, "run the commands of FILE (see the README), then exit");
  cli.add_option("--bench-frames", o.bench_frames,
                 "per preset (--preset, or --bench-presets), render N frames while training with "
                 "the sampling stepper tracing; print frame times and steps/s beside the CLI's")
      ->check(CLI::Range(1, 1000000));
  std::vector<std::string> bench_presets;
  cli.add_option("--bench-presets", bench_presets, "presets for --bench-frames, comma-separated")
      ->delimiter(',');
  cli.add_option("--width", o.width, "window width")->check(CLI::Range(320, 16384));
  cli.add_option("--height", o.height, "window height")->check(CLI::Range(240, 16384));
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return scorelab::report_parse_error(cli, e, "scorelab");
  }
  if (!o.screenshot.empty() && o.frames == 0) o.frames = 120;
  // llvmpipe (software GL) renders with every core by default; one thread leaves the other to
  // training. A user's own setting wins.
  setenv("LP_NUM_THREADS", "1", /*overwrite=*/0);
  if (o.bench_frames > 0) {
    if (bench_presets.empty()) bench_presets.push_back(o.preset);
    return scorelab::ui::run_frame_bench(o, bench_presets);
  }
  return scorelab::ui::run_app(o);
}
