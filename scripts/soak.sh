#!/usr/bin/env bash
# `make soak` (not in CI, ~35 min): the app under Xvfb for SOAK_MINUTES (default 30), driven by a
# script that every few seconds changes a live setting, switches preset, method and data, resets,
# saves and loads checkpoints and runs the sampling stepper; it prints the app's frames, steps,
# errors and resident memory as it goes. Then SCORELAB_KILL_TRIALS (default 50) SIGKILLs of the
# CLI while it checkpoints. Passes when the app exits 0 with no error shown and its RSS grew by
# at most 5% after the first 5 minutes, and every killed run's checkpoint loads.
set -euo pipefail
build="${1:-build}"
minutes="${SOAK_MINUTES:-30}"
kills="${SCORELAB_KILL_TRIALS:-50}"
app="$(cd "$build" && pwd)/scorelab"
[[ -x "$app" ]] || { echo "soak: $app is missing (the GUI build)"; exit 1; }
command -v xvfb-run > /dev/null || { echo "soak: xvfb-run is missing (apt-get install xvfb)"; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/scorelab-soak.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# One round takes ~90 s here (its waits plus the commands); enough rounds for the duration.
rounds=$(( (minutes * 60 + 89) / 90 ))
{
  echo "preset swissroll-smt"
  for ((i = 0; i < rounds; ++i)); do
    cat << ROUND
play
wait 3
set optim.lr_score 2e-4
set sampler.eps 2e-5
wait 3
set! model.hidden 96
wait 3
set! method.name smm
wait 3
preset gauss8-dsm
langevin
wait 4
save $work/soak.ckpt
load-checkpoint $work/soak.ckpt
play
wait 3
set! data.name moons
wait 3
reset
wait 2
preset fmnist-dsm-cpu
play
wait 6
preset gauss25-smt
wait 3
langevin-exact
wait 3
pause
step 20
print-stats
ROUND
  done
  echo "quit"
} > "$work/soak.txt"

echo "soak: the app for ~$minutes min ($rounds rounds), log in $work/app.log"
start=$(date +%s)
set +e
(cd "$work" && xvfb-run -a -s "-screen 0 1600x900x24" "$app" --script "$work/soak.txt" \
  > "$work/app.log" 2>&1)
status=$?
set -e
elapsed=$(( $(date +%s) - start ))
grep '^stats:' "$work/app.log" > "$work/stats.txt" || true
set +e
python3 - "$work/stats.txt" "$status" "$elapsed" << 'PY'
import re, sys
rows = []
for line in open(sys.argv[1]):
    kv = dict(re.findall(r"(\w+)=(\S+)", line))
    rows.append(kv)
status, elapsed = int(sys.argv[2]), int(sys.argv[3])
print(f"{'minute':>7} {'frames':>8} {'updates':>9} {'errors':>6} {'rss_mb':>8}")
for r in rows[:: max(1, len(rows) // 20)] + rows[-1:]:
    print(f"{float(r['t'])/60:7.1f} {r['frames']:>8} {r['updates']:>9} {r['errors']:>6} {r['rss_mb']:>8}")
ok = status == 0 and rows
if rows:
    after5 = [r for r in rows if float(r["t"]) >= 300] or rows
    base, end = float(after5[0]["rss_mb"]), float(rows[-1]["rss_mb"])
    growth = 100 * (end - base) / base
    errors = int(rows[-1]["errors"])
    print(f"app: exit {status} after {elapsed/60:.1f} min; {rows[-1]['frames']} frames, "
          f"{rows[-1]['updates']} updates in the last run; errors shown {errors}; "
          f"RSS {float(rows[0]['rss_mb']):.0f} MB at start, {base:.0f} MB at 5 min, {end:.0f} MB "
          f"at the end ({growth:+.1f}% after 5 min)")
    ok = ok and errors == 0 and growth <= 5
else:
    print(f"app: exit {status}, no stats printed (see the log)")
sys.exit(0 if ok else 1)
PY
app_ok=$?
set -e
[[ $app_ok -eq 0 ]] || tail -20 "$work/app.log"

echo "soak: $kills SIGKILLs of the CLI while it checkpoints"
set +e
SCORELAB_KILL_TRIALS=$kills "$build/tests/scorelab_tests" \
  --gtest_filter='Hardening.KilledAtRandomMomentsTheLatestCheckpointLoads'
kill_ok=$?
set -e
[[ $app_ok -eq 0 && $kill_ok -eq 0 ]] && echo "soak: passed" || { echo "soak: FAILED"; exit 1; }
