#!/usr/bin/env bash
# The GPU check of a CUDA machine, in about 8 minutes: builds the core, CLI, bench and tests
# against a CUDA libtorch, runs the CUDA tests, then prints the GPU figures (2-D SMT steps/s with
# and without CUDA graphs and on this machine's CPU, the time per section of a step, the image
# presets' steps/s by phase, eager against graph, fp32 against TF32 and bf16).
#
# Usage: scripts/cuda-check.sh [--build-only]      (make cuda-check)
# Where the machine has PyTorch but no Debian packages, say where the rest is:
#   SCORELAB_DEPS=DIR            a prefix holding include/nlohmann and share/cmake/nlohmann_json
#                                (copies of /usr/include/nlohmann and /usr/share/cmake/nlohmann_json)
#   SCORELAB_GTEST_SRC=DIR       GoogleTest's source (a copy of /usr/src/googletest); without it
#                                and without an installed GTest the tests are skipped
#   SCORELAB_FASHION_MNIST=DIR   the four Fashion-MNIST IDX files (/usr/share/datasets/fashion-mnist)
#   SCORELAB_TORCH_PREFIX=DIR    libtorch's CMake prefix (default: PyTorch's, from python3)
#   CUDA_CHECK_BUILD=DIR         build folder (default /tmp/scorelab-cuda-build)
#   CUDA_CHECK_SECONDS=S         seconds per figure (default 8)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start=$(date +%s)
say() { printf '\n[cuda-check %4ds] %s\n' $(($(date +%s) - start)) "$*"; }
fail() { say "FAILED: $*"; exit 1; }

torch_prefix=${SCORELAB_TORCH_PREFIX:-$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)' 2>/dev/null)}
[[ -n "$torch_prefix" ]] || fail "no libtorch: set SCORELAB_TORCH_PREFIX or install PyTorch"
build=${CUDA_CHECK_BUILD:-/tmp/scorelab-cuda-build}
secs=${CUDA_CHECK_SECONDS:-8}
[[ "$secs" =~ ^[0-9]+$ && "$secs" -ge 2 && "$secs" -le 600 ]] ||
  fail "CUDA_CHECK_SECONDS = '$secs': a whole number of seconds in [2, 600]"
jobs=$(nproc)
prefix="$torch_prefix"
[[ -n "${SCORELAB_DEPS:-}" ]] && prefix="$prefix;$(cd "$SCORELAB_DEPS" && pwd)"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
mkdir -p "$build"

tests=ON
if [[ -n "${SCORELAB_GTEST_SRC:-}" ]]; then
  say "building GoogleTest from $SCORELAB_GTEST_SRC"
  cmake -S "$SCORELAB_GTEST_SRC" -B "$build/gtest" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$build/gtest-install" >"$build/gtest.log" 2>&1 &&
    cmake --build "$build/gtest" -j "$jobs" >>"$build/gtest.log" 2>&1 &&
    cmake --install "$build/gtest" >>"$build/gtest.log" 2>&1 || { tail -20 "$build/gtest.log"; tests=OFF; }
  prefix="$prefix;$build/gtest-install"
fi

configure() {  # $1: ON/OFF for SCORELAB_CUDA_GRAPHS
  cmake -S "$root" -B "$build/scorelab" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DSCORELAB_BUILD_GUI=OFF -DSCORELAB_BUILD_TESTS="$tests" \
    -DSCORELAB_CUDA_GRAPHS="$1" >"$build/configure.log" 2>&1
}
say "configuring against $torch_prefix"
if ! configure ON && [[ $tests == ON ]]; then
  say "configure with tests failed (no GTest?); without them"
  tests=OFF
  configure ON || { tail -30 "$build/configure.log"; fail "configure"; }
fi
grep -E "scorelab:|Torch" "$build/configure.log" | head -5
say "building"
if ! cmake --build "$build/scorelab" -j "$jobs" >"$build/build.log" 2>&1; then
  grep -E "error" "$build/build.log" | head -20
  say "the build failed; again without the CUDA-graph code (SCORELAB_CUDA_GRAPHS=OFF)"
  configure OFF && cmake --build "$build/scorelab" -j "$jobs" >"$build/build.log" 2>&1 ||
    { grep -E "error" "$build/build.log" | head -20; fail "build"; }
fi
[[ "${1:-}" == "--build-only" ]] && { say "built in $build/scorelab"; exit 0; }
cli="$build/scorelab/scorelab-cli"
bench="$build/scorelab/scorelab-bench"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null

if [[ $tests == ON ]]; then
  say "CUDA tests"
  timeout 240 "$build/scorelab/tests/scorelab_tests" \
    --gtest_filter='CudaGraph*:Precision*:StepRunner*:AutoDevice*:PhaseTimer*:FlatAdamW*:FusedMlp*' \
    2>&1 | grep -E "^\[ *(RUN|OK|FAILED|SKIPPED|PASSED) *\]|Failure|Expected|Which is|error" | head -80
fi

work=$(mktemp -d)
say "2-D SMT through the CLI (swissroll-smt, $secs s each): graph, eager, this machine's CPU"
for run in "cuda auto" "cuda off" "cpu off"; do
  set -- $run
  timeout $((secs + 60)) "$cli" train --preset swissroll-smt --device "$1" --seconds "$secs" \
    --set run.eval_every=0 --set run.cuda_graph="$2" --out "$work/toy-$1-$2" 2>&1 |
    grep -E "^(training|device|throughput|steps)|error|scorelab-cli" | sed "s/^/  [$1 $2] /"
done
say "device auto on swissroll-smt"
timeout 60 "$cli" train --preset swissroll-smt --steps 20 --set run.eval_every=0 \
  --out "$work/toy-auto" 2>&1 | grep -E "^device|^steps" | sed 's/^/  /'

say "2-D SMT bench, score MLP 3x128 ($((secs / 2)) s each), with phases"
timeout 120 "$bench" smt 128 --device cuda --seconds $((secs / 2)) --phases
timeout 60 "$bench" smt 128 --device cuda --seconds $((secs / 2)) --cuda-graph off
timeout 60 "$bench" smt 128 --device cpu --seconds $((secs / 2))

if [[ -n "${SCORELAB_FASHION_MNIST:-}" ]]; then
  say "image presets, every phase, CUDA graph, with phases"
  timeout 300 "$bench" images --device cuda --seconds "$secs" \
    --presets fmnist-dsm-gpu,fmnist-smt-gpu --phases --sample-n 100
  say "image presets, main phase, eager"
  timeout 120 "$bench" images --device cuda --seconds "$secs" --cuda-graph off \
    --only-phase main --presets fmnist-dsm-gpu,fmnist-smt-gpu --sample-n 100
  say "fmnist-smt-gpu, main phase, graph: TF32, then bf16"
  timeout 90 "$bench" images --device cuda --seconds "$secs" --only-phase main --tf32 \
    --presets fmnist-smt-gpu --sample-n 100
  timeout 90 "$bench" images --device cuda --seconds "$secs" --only-phase main \
    --precision bf16 --presets fmnist-smt-gpu --sample-n 100
else
  say "image figures skipped: set SCORELAB_FASHION_MNIST"
fi
rm -rf "$work"
say "done"
