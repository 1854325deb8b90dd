#!/usr/bin/env bash
# Configures and builds kvscope in build/ (Release with debug info). Arguments name the targets
# to build (default: everything).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ $# -gt 0 ]; then
  cmake --build "$root/build" --parallel "$(nproc)" --target "$@"
else
  cmake --build "$root/build" --parallel "$(nproc)"
fi
