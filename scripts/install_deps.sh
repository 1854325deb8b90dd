#!/usr/bin/env bash
# Installs the Debian packages kvscope needs, only those missing. Idempotent and
# non-interactive; uses sudo only when not root. With --sanitizers it also installs what
# scripts/sanitize.sh needs (clang 14, its sanitizer and libFuzzer runtimes, llvm-symbolizer);
# the normal build never uses them. GNU parallel, Slurm and munge are for the cluster-sweep
# scripts and their tests (scripts/parallel/, scripts/slurm/; README "Sweeps on a cluster");
# installing slurm-wlm starts no daemon here that the tests need (they start their own).
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libimgui-dev libglfw3-dev libeigen3-dev libstb-dev
  xvfb xauth libgl1-mesa-dri
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
  fonts-dejavu-core
  parallel slurm-wlm munge
)
if [ "${1:-}" = "--sanitizers" ]; then
  packages+=(clang-14 libclang-rt-14-dev llvm-14)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install_deps: missing packages (${missing[*]}) and not root, and sudo is not available" >&2
  exit 1
fi

echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
