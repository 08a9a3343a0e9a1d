#include "app_context.h"

#include <algorithm>

namespace scorelab::ui {

std::string mixture_model(const Snapshot& snap) {
  const auto& m = snap.score_models;
  if (std::find(m.begin(), m.end(), "mixture") != m.end()) return "mixture";
  if (snap.method == "smt") return "score";
  return "";
}

}  // namespace scorelab::ui
