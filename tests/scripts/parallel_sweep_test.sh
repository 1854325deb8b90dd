#!/usr/bin/env bash
# ctest scripts.parallel_sweep: scripts/parallel/sweep.sh runs tests/data/sweep_small.json
# ("timing": false) as 3 shards with GNU parallel on local cores, and as 2 shards through
# parallel's --sshlogin path (a stand-in ssh that runs the command here, so parallel's remote
# quoting is exercised with a space in every path); both merged metrics.csv must equal the
# unsharded run byte for byte. Then the 3-shard sweep is rerun over its own output: every shard
# folder has a manifest, so each resumes, and the merge is still identical. A stand-in ssh that
# runs nothing must make the sweep fail and name the shards that never ran.
#   parallel_sweep_test.sh KVSCOPE_BINARY WORK_DIR
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: parallel_sweep_test.sh KVSCOPE WORK_DIR" >&2; exit 2; }
kvscope=$(realpath "$1")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
config="$repo/tests/data/sweep_small.json"
command -v parallel >/dev/null || { echo "FAIL: GNU parallel is not installed (scripts/install_deps.sh)" >&2; exit 1; }

work="$2/parallel sweep"  # the space is deliberate
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$kvscope" run --config "$config" --out "$work/unsharded" --quiet
reference="$work/unsharded/metrics.csv"
[ "$(wc -l <"$reference")" -gt 16 ] || fail "the unsharded run wrote too few rows"

export KVSCOPE="$kvscope"
unset KVSCOPE_RUN_ARGS KVSCOPE_SHARDS
"$repo/scripts/parallel/sweep.sh" "$config" "$work/local" 3 -- -j 2
cmp "$reference" "$work/local/merged/metrics.csv" || fail "3 local shards: merged CSV differs"
for i in 1 2 3; do
  [ -f "$work/local/shard-$i/metrics.csv" ] || fail "no shard-$i/metrics.csv"
done
# Each shard did a nonempty, different part (disjoint and complete is kvscope merge's check).
[ "$(cat "$work"/local/shard-*/metrics.csv | sort -u | wc -l)" -gt 3 ] || fail "shards are empty"
[ "$(tail -n +2 "$work/local/shard-1/metrics.csv" | wc -l)" -gt 0 ] || fail "shard 1 is empty"

fake_ssh="$2/fake_ssh"  # no space: parallel splits --ssh into a command and its options
cat >"$fake_ssh" <<'SSH'
#!/usr/bin/env bash
# Stands in for ssh: `ssh [options] HOST [--] COMMAND...` runs COMMAND here as sshd would (the
# words joined by spaces, run by a shell), and notes the host. Like sshd it sets SHELL to the
# login shell: parallel's remote worker execs $SHELL, and CI may run ctest without SHELL.
SHELL=$(getent passwd "$(id -u)" | cut -d: -f7)
[ -x "${SHELL:-}" ] || SHELL=/bin/sh
export SHELL
while [ $# -gt 0 ]; do case "$1" in -*) shift ;; *) break ;; esac; done
echo "$1" >>"$(dirname "$0")/hosts.log"
shift
[ "${1:-}" = "--" ] && shift
exec bash -c "$*"
SSH
chmod +x "$fake_ssh"
rm -f "$2/hosts.log"
"$repo/scripts/parallel/sweep.sh" "$config" "$work/ssh" 2 -- \
  --ssh "$fake_ssh" --sshlogin 1/hostA,1/hostB
cmp "$reference" "$work/ssh/merged/metrics.csv" || fail "2 shards over --sshlogin: merged CSV differs"
[ "$(sort -u "$2/hosts.log" | wc -l)" -eq 2 ] || fail "parallel did not use both hosts through the --ssh command"

# A host whose worker never runs the job (ssh succeeds, nothing happens) must fail the sweep
# with the shards named, not merge or report success.
printf '#!/bin/sh\nexit 0\n' >"$2/silent_ssh"
chmod +x "$2/silent_ssh"
if "$repo/scripts/parallel/sweep.sh" "$config" "$work/silent" 2 -- \
  --ssh "$2/silent_ssh" --sshlogin 1/hostA 2>"$2/silent.err"; then
  fail "a sweep whose shards never ran exited 0"
fi
grep -q "shard(s) 1 2 of 2 wrote no manifest" "$2/silent.err" ||
  fail "the sweep did not name the shards that never ran: $(cat "$2/silent.err")"

# The rerun goes through a wrapper that logs each command line: every shard must resume.
cat >"$2/logging_kvscope" <<WRAP
#!/usr/bin/env bash
echo "\$*" >>"$2/rerun.log"
exec "$kvscope" "\$@"
WRAP
chmod +x "$2/logging_kvscope"
rm -f "$2/rerun.log"
KVSCOPE="$2/logging_kvscope" "$repo/scripts/parallel/sweep.sh" "$config" "$work/local" 3 -- -j 2
cmp "$reference" "$work/local/merged/metrics.csv" || fail "rerun (resume): merged CSV differs"
[ "$(grep -c -- '--shard [123]/3 --quiet --resume' "$2/rerun.log")" -eq 3 ] ||
  fail "the rerun did not resume all 3 shards: $(cat "$2/rerun.log")"
echo "PASS: parallel sweeps (3 local shards, 2 over --sshlogin, a resumed rerun) = unsharded run"
