#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs kvscope's default
# scenario. Extra arguments are passed to kvscope (e.g. `run --config FILE --out DIR`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install_deps.sh"
"$root/scripts/build.sh" kvscope
cd "$root"
exec "$root/build/kvscope" "$@"
