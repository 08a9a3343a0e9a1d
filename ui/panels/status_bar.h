#pragma once
// The status bar (below the panels): run state, step, steps/s, frame time, device, resident memory,
// and the latest notice.
#include "app_context.h"

namespace scorelab::ui {

void draw_status_bar(AppContext& ctx);

// Resident set size of this process in MiB (Linux /proc), 0 when unknown.
double resident_mib();

}  // namespace scorelab::ui
