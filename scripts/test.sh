#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything (tests and benchmarks)
# and runs every test with ctest. GUI tests run under one shared Xvfb display.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install_deps.sh"
"$root/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure --parallel "$(nproc)" --timeout 900
