#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything (tests and benchmarks)
# and runs every test with ctest. GUI tests run under one shared Xvfb display. Then the
# sanitizer and fuzz jobs (scripts/sanitize.sh: the ASan + UBSan tests, the TSan tests, every
# fuzz target for 30 s), unless --no-sanitizers is given (a quicker local run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install_deps.sh"
"$root/scripts/build.sh"
(cd "$root/build" && ctest --output-on-failure --parallel "$(nproc)" --timeout 900)
if [ "${1:-}" != "--no-sanitizers" ]; then
  "$root/scripts/sanitize.sh" asan tsan fuzz 30
fi
