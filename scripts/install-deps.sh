#!/usr/bin/env bash
# Installs the Debian packages scorelab needs. Idempotent: silent when everything is present.
# Usage: scripts/install-deps.sh [--gui] [--fuzz]
#   --gui adds the desktop app's libraries and Xvfb; --fuzz clang and its libFuzzer/sanitizer runtimes.
set -euo pipefail

core_pkgs=(build-essential cmake pkg-config libtorch-dev libopenblas0-pthread
  nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev libstb-dev libbenchmark-dev
  zlib1g-dev libjpeg62-turbo-dev libpng-dev gzip dataset-fashion-mnist libgloo-dev)
gui_pkgs=(libimgui-dev libglfw3-dev python3-glad xvfb xauth libgl1-mesa-dri fonts-dejavu-core)
fuzz_pkgs=(clang libclang-rt-dev)

pkgs=("${core_pkgs[@]}")
for arg in "$@"; do
  case "$arg" in
    --gui) pkgs+=("${gui_pkgs[@]}") ;;
    --fuzz) pkgs+=("${fuzz_pkgs[@]}") ;;
    *) echo "install-deps: unknown option $arg (--gui, --fuzz)" >&2; exit 1 ;;
  esac
done

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "scorelab: installing missing packages: ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "scorelab: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "scorelab: packages installed"
