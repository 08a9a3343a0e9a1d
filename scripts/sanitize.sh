#!/usr/bin/env bash
# `make sanitize` (not in CI, ~2 h on 2 cores): the whole suite under AddressSanitizer +
# UndefinedBehaviorSanitizer, then the threaded parts — the Trainer, the app and its scripts,
# the CLI — under ThreadSanitizer. Each in its own build folder (BUILD_DIR-asan, BUILD_DIR-tsan).
# Suppressions, each justified in one line, are in tests/sanitizers/.
set -euo pipefail
build="${1:-build}"
root="$(cd "$(dirname "$0")/.." && pwd)"
supp="$root/tests/sanitizers"
only="${SANITIZERS:-address thread}"
prefix=$(sed -n 's/^CMAKE_PREFIX_PATH:[A-Z]*=//p' "$build/CMakeCache.txt" 2> /dev/null || true)

configure_and_build() {  # folder, sanitizer
  mkdir -p "$1"
  cmake -S "$root" -B "$1" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCORELAB_SANITIZE="$2" \
    -DSCORELAB_BUILD_BENCH=OFF ${prefix:+-DCMAKE_PREFIX_PATH="$prefix"} > "$1/configure.log" 2>&1 ||
    { cat "$1/configure.log"; exit 1; }
  cmake --build "$1" -j "$(nproc)"
}

failed=0
if [[ " $only " == *" address "* ]]; then
  echo "sanitize: ASan + UBSan, the whole suite"
  configure_and_build "$build-asan" address
  # Leaks: libtorch and Mesa keep process-lifetime allocations (see lsan.supp).
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_init_order=1"
  export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp"
  # Mesa unloads its driver when the window closes, before the exit-time leak check: the driver's
  # allocations then show as "<unknown module>" and no suppression can name them. Preloading it
  # (after ASan's runtime, which must come first) keeps it loaded, so lsan.supp applies.
  dri=$(ls /usr/lib/*/dri/swrast_dri.so 2> /dev/null | head -1 || true)
  if [[ -n "$dri" ]]; then
    export SCORELAB_TEST_APP_WRAPPER="env LD_PRELOAD=$(gcc -print-file-name=libasan.so):$dri"
  fi
  (cd "$build-asan" && ctest --output-on-failure -j 2) || failed=1
  unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS SCORELAB_TEST_APP_WRAPPER
fi
if [[ " $only " == *" thread "* ]]; then
  echo "sanitize: TSan, the Trainer, the app (scripts) and the CLI"
  configure_and_build "$build-tsan" thread
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp"
  (cd "$build-tsan" && ctest --output-on-failure -j 2 \
    -R 'Trainer|App\.|Cli|Hardening|DistTraining') || failed=1
fi
[[ $failed -eq 0 ]] && echo "sanitize: clean" || { echo "sanitize: FAILED"; exit 1; }
