#!/usr/bin/env bash
# `make run`: the desktop app when there is one and a display; otherwise the headless demo.
set -euo pipefail
build="${1:-build}"
if [[ -x "$build/scorelab" && -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  exec "$build/scorelab"
fi
if [[ -x "$build/scorelab" ]]; then
  echo "scorelab: no display found (DISPLAY is not set); running the headless demo instead"
fi
exec "$(dirname "$0")/demo.sh" "$build"
