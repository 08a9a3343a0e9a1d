#!/usr/bin/env bash
# The headless demo: trains the default preset (swiss roll) for 30 s, then samples and scores it,
# writing everything into runs/demo.
set -euo pipefail
build="${1:-build}"
cli="$build/scorelab-cli"
out="runs/demo"
rm -rf "$out"
"$cli" train --preset swissroll-dsm --seconds 30 --out "$out"
"$cli" sample --checkpoint "$out/checkpoint.ckpt" --sampler annealed --n 5000 --out "$out/annealed.png"
"$cli" sample --checkpoint "$out/checkpoint.ckpt" --sampler langevin --n 5000 --out "$out/plain-langevin.png"
"$cli" eval --checkpoint "$out/checkpoint.ckpt" --sampler annealed --n 5000 --json > "$out/eval.json"
echo
echo "demo outputs in $out/:"
echo "  samples.png         real (left) vs annealed-Langevin samples (right) at the end of training"
echo "  annealed.png        5000 annealed-Langevin samples"
echo "  plain-langevin.png  5000 plain-Langevin samples, for comparison"
echo "  metrics.csv         losses and metrics over training"
echo "  eval.json           sliced W2 and its noise floor of the annealed samples"
echo "  checkpoint.ckpt     the trained model (scorelab-cli sample/eval --checkpoint ...)"
