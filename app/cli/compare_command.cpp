// `scorelab-cli compare`: the curves of several run folders on one chart (PNG) or one aligned
// table (CSV), each run named by the settings in which it differs from the others.
#include <cstdio>
#include <filesystem>
#include <set>

#include "cli/commands.h"
#include "common/error.h"
#include "compare/run_history.h"
#include "plot/line_chart_png.h"

namespace scorelab::cli {

namespace {

struct CompareOptions {
  std::vector<std::string> runs;
  std::string metric, by = "step", out;
  bool csv = false, log_y = false;
};

}  // namespace

Runner add_compare_command(CLI::App& app) {
  auto o = std::make_shared<CompareOptions>();
  auto* sub = app.add_subcommand(
      "compare", "Overlay the curves of run folders: a PNG chart (--out) or a table (--csv)");
  sub->add_option("runs", o->runs, "run folders (each with metrics.csv)")->required();
  sub->add_option("--metric", o->metric,
                  "a metrics.csv column (default: sliced_w2, else FID, else the first loss)");
  sub->add_option("--by", o->by, "step (default) | time (wall seconds)")
      ->check(CLI::IsMember({"step", "time"}));
  sub->add_option("--out", o->out, "PNG file (default: curves.png unless --csv)");
  sub->add_flag("--csv", o->csv, "print the aligned table (one column per run) to stdout");
  sub->add_flag("--log-y", o->log_y, "logarithmic y axis");
  return [o]() -> int {
    std::vector<RunHistory> runs;
    for (const auto& d : o->runs) runs.push_back(read_run_history(d));
    const std::string metric = o->metric.empty() ? default_compare_metric(runs) : o->metric;
    const bool by_time = o->by == "time";
    bool any = false;
    std::set<std::string> columns;
    for (const auto& r : runs) {
      any = any || !r.curve(metric, by_time).empty();
      columns.insert(r.columns.begin(), r.columns.end());
    }
    if (!any) {
      std::string list;
      for (const auto& c : columns) list += (list.empty() ? "" : ", ") + c;
      throw ConfigError("compare: no run has values of \"" + metric + "\"; the columns are " +
                        list);
    }
    const auto differ = differing_settings(runs);
    std::vector<std::string> labels;
    for (size_t i = 0; i < runs.size(); ++i) {
      const std::string base = run_folder_name(runs[i].dir);
      labels.push_back(differ[i].empty() ? base : base + " (" + differ[i] + ")");
    }
    if (o->csv) std::fputs(aligned_table(runs, labels, metric, by_time).c_str(), stdout);
    if (!o->csv || !o->out.empty()) {
      const std::string out = o->out.empty() ? "curves.png" : o->out;
      std::vector<ChartLine> lines;
      for (size_t i = 0; i < runs.size(); ++i) {
        lines.push_back({labels[i], runs[i].curve(metric, by_time)});
      }
      write_line_chart_png(out, lines,
                           {metric + " of " + std::to_string(runs.size()) + " runs",
                            by_time ? "wall time (s)" : "step", metric},
                           o->log_y);
      std::fprintf(o->csv ? stderr : stdout, "wrote %s\n", out.c_str());
    }
    return 0;
  };
}

}  // namespace scorelab::cli
