#!/usr/bin/env bash
# Configures and builds kvscope in build/ (Release with debug info). Arguments name the targets
# to build (default: everything).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
launcher=()
# ccache, when installed, makes rebuilds across clones and worktrees cheap; the build never needs it.
if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
if [ $# -gt 0 ]; then
  cmake --build "$root/build" --parallel "$(nproc)" --target "$@"
else
  cmake --build "$root/build" --parallel "$(nproc)"
fi
