#!/usr/bin/env bash
# `make fuzz`: every reader under libFuzzer for FUZZ_SECONDS each (default 60). Builds
# tests/fuzz with clang into BUILD_DIR-fuzz, against the main build's engine libraries. New
# inputs that reach new code go to BUILD_DIR-fuzz/corpus/<reader>; a crash is saved to
# BUILD_DIR-fuzz/crashes/ and fails the run (copy it to tests/fuzz/regressions/<reader>/ once
# fixed: the suite replays those). Prints executions and coverage per reader.
set -euo pipefail
build="${1:-build}"
seconds="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-checkpoint config settings idx cifar features points script runs image}"
root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz_build="${build}-fuzz"

command -v clang++ > /dev/null || { echo "fuzz: clang++ is missing: scripts/install-deps.sh --fuzz"; exit 1; }
mkdir -p "$fuzz_build"
prefix=$(sed -n 's/^CMAKE_PREFIX_PATH:[A-Z]*=//p' "$build/CMakeCache.txt" 2> /dev/null || true)
cmake -S "$root/tests/fuzz" -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DSCORELAB_CORE_BUILD="$(cd "$build" && pwd)" \
  ${prefix:+-DCMAKE_PREFIX_PATH="$prefix"} > "$fuzz_build/configure.log" 2>&1 ||
  { cat "$fuzz_build/configure.log"; exit 1; }
cmake --build "$fuzz_build" -j "$(nproc)"

mkdir -p "$fuzz_build/crashes"
failed=0
printf '%-11s %10s %10s %8s %8s  %s\n' reader seconds execs cov features result
for t in $targets; do
  mkdir -p "$fuzz_build/corpus/$t"
  seeds="$root/tests/fuzz/corpus/$t"
  log="$fuzz_build/$t.log"
  extra=()
  [[ -d "$root/tests/fuzz/regressions/$t" ]] && extra+=("$root/tests/fuzz/regressions/$t")
  [[ "$t" == config ]] && extra+=("$root/assets/presets")
  set +e
  SCORELAB_FUZZ_TARGET=$t ASAN_OPTIONS=allocator_may_return_null=0:detect_leaks=0 \
    "$fuzz_build/scorelab_fuzz" "$fuzz_build/corpus/$t" "$seeds" "${extra[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -malloc_limit_mb=2048 \
    -max_len=1048576 -print_final_stats=1 -artifact_prefix="$fuzz_build/crashes/$t-" > "$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)
  line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<< "$line")
  result=clean
  if [[ $rc -ne 0 ]]; then
    result="FAILED (see $log)"
    failed=1
  fi
  printf '%-11s %10s %10s %8s %8s  %s\n' "$t" "$seconds" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
exit $failed
