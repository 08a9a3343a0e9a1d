#!/usr/bin/env bash
# Data-parallel figures on this machine: steps/s and samples/s of each preset with 1 and N local
# ranks (one thread each) and rank 0's time in collectives per step. The runs are interleaved,
# ROUNDS times over, because a shared machine's speed drifts: compare figures of one round.
#   scripts/bench-dist.sh [BUILD_DIR] [SECONDS] [ROUNDS] [NPROC] [PRESET...]
set -euo pipefail
build=${1:-build}
secs=${2:-40}
rounds=${3:-2}
nproc=${4:-2}
shift $(($# < 4 ? $# : 4))
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(fmnist-dsm-cpu fmnist-smt-cpu)
cli=$build/scorelab-cli
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One run of `secs` seconds, stopped by Ctrl+C to rank 0 (the CLI itself with one rank), which
# ends every rank and saves without the final evaluation; prints one table row.
one_run() {
  local preset=$1 ranks=$2 log=$tmp/log out=$tmp/run
  rm -rf "$out"
  local args=()
  [ "$ranks" -gt 1 ] && args=(--nproc "$ranks")
  "$cli" train --preset "$preset" "${args[@]}" --set run.eval_every=0 --out "$out" >"$log" 2>&1 &
  local pid=$! r0=$!
  sleep "$secs"
  if [ "$ranks" -gt 1 ]; then r0=$(sed -n 's/^rank 0 pid \([0-9]*\).*/\1/p' "$log"); fi
  kill -INT "$r0"
  wait "$pid" || { cat "$log"; exit 1; }
  local batch
  batch=$("$cli" settings --preset "$preset" | awk '$1 == "optim.batch" { print $2 }')
  # The step rate is the last network's (the generator's where there is one), as the CLI shows.
  local rate
  rate=$(grep '^throughput:' "$log" | sed 's/.* \([0-9.]*\) steps\/s (.*/\1/')
  local coll="- | -"
  if grep -q '^collectives' "$log"; then
    coll=$(sed -n 's/^collectives on rank 0: all-reduce \([0-9.]*\) ms\/step.*broadcast \([0-9.]*\) ms\/step.*/\1 | \2/p' "$log")
  fi
  awk -v p="$preset" -v n="$ranks" -v r="$rate" -v b="${batch:-0}" -v c="$coll" \
    'BEGIN { printf "| %s | %d | %.2f | %.0f | %s |\n", p, n, r, r * b * n, c }'
}

# The transfer alone: one all-reduce of each of the preset's flat gradients, between ranks that
# do nothing else (scorelab-bench allreduce, the ranks started by hand, torchrun-style).
allreduce() {
  local port pids=()
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  for r in $(seq 0 $((nproc - 1))); do
    RANK=$r LOCAL_RANK=$r WORLD_SIZE=$nproc MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
      "$build/scorelab-bench" allreduce "$1" --seconds 3 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
}

for preset in "${presets[@]}"; do allreduce "$preset"; done
echo

echo "| preset | ranks | steps/s | samples/s | all-reduce ms/step | broadcast ms/step |"
echo "|---|---|---|---|---|---|"
for round in $(seq "$rounds"); do
  for preset in "${presets[@]}"; do
    one_run "$preset" 1
    one_run "$preset" "$nproc"
  done
done
