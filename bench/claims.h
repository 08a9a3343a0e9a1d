#pragma once
// `scorelab-bench claims`: what the four seed documents claim, measured here. Each claim is
// one row: the claim, the paper's figure, scorelab's medians over seeds with their spread, and
// a verdict (reproduced / partly / not reproduced). Every training arm is a preset (with a few
// settings changed) trained for a fixed time on one thread; arms shared by claims run once.
#include <cstdint>
#include <string>

namespace scorelab::bench {

struct ClaimsOptions {
  bool quick = false;  // ~15 minutes here: shorter training, fewer arms, fewer samples
  int seeds = 3;
  double seconds = 0;  // training time of a 2-D arm (gauss25: twice); 0 = 60 s, --quick 15 s
  std::string device = "cpu";
};

// Runs every arm, prints the table as Markdown on stdout (progress on stderr). Returns the
// number of claims not reproduced.
int print_claims_table(const ClaimsOptions& options);

}  // namespace scorelab::bench
