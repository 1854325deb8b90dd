#!/usr/bin/env bash
# Runs a kvscope sweep as N shards with GNU parallel (local cores, or ssh hosts), then merges.
#
#   scripts/parallel/sweep.sh CONFIG OUTDIR N [-- PARALLEL_OPTIONS...]
#
# Shard I runs `kvscope run --config CONFIG --out OUTDIR/shard-I --shard I/N`; afterwards
# `kvscope merge` writes OUTDIR/merged/{metrics.csv,manifest.json}. By default parallel runs
# one shard per local core (-j = cores; kvscope uses one core per run). PARALLEL_OPTIONS go to
# parallel, e.g.
#   -- -j 4                                  at most 4 shards at once
#   -- --sshlogin 8/host1,8/host2,:          8 shards at once on host1 and host2, plus local
#   -- --sshloginfile nodes.txt
# Remote hosts need the kvscope binary and CONFIG at the same absolute paths, and OUTDIR on a
# filesystem they share with this machine (NFS); without a shared filesystem, copy the config
# with --basefile CONFIG and bring the shard folders back with --return OUTDIR/shard-{} (and
# --cleanup), all paths absolute and the same on every host.
# A shard folder that already holds a manifest is continued with --resume, so rerunning the
# same command after an interruption repeats no finished instance. Every shard's start, end
# and exit status go to OUTDIR/logs/parallel.joblog. Environment: KVSCOPE (the binary; default
# build/kvscope of this checkout, else kvscope on PATH), KVSCOPE_RUN_ARGS (more `kvscope run`
# options, split on spaces, e.g. "--tokens 4096"). Exit status: 0, or the first failure's; 1
# when a shard wrote no manifest (it never ran), naming it.
set -euo pipefail

usage() { echo "usage: sweep.sh CONFIG OUTDIR N [-- PARALLEL_OPTIONS...]" >&2; exit 2; }
[ $# -ge 3 ] || usage
config=$1 out=$2 n=$3
shift 3
if [ $# -gt 0 ]; then [ "$1" = "--" ] || usage; shift; fi
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "sweep.sh: N must be a positive integer, got '$n'" >&2; exit 2; }
[ -f "$config" ] || { echo "sweep.sh: no config file '$config'" >&2; exit 2; }
command -v parallel >/dev/null 2>&1 || { echo "sweep.sh: GNU parallel not found (apt-get install parallel)" >&2; exit 2; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
default_bin="$repo/build/kvscope"
[ -x "$default_bin" ] || default_bin=kvscope
kvscope=$(command -v "${KVSCOPE:-$default_bin}" || true)
[ -n "$kvscope" ] || { echo "sweep.sh: no kvscope binary ('${KVSCOPE:-$default_bin}'); set KVSCOPE" >&2; exit 2; }
kvscope=$(realpath "$kvscope")
config=$(realpath "$config")
out=$(realpath -m "$out")
mkdir -p "$out/logs"
read -r -a run_args <<<"${KVSCOPE_RUN_ARGS:-}"

# One shard, in a shell on whichever host parallel picks: resume when the folder has a
# manifest. Arguments: BIN CONFIG OUTDIR I N [RUN_ARGS...].
# shellcheck disable=SC2016  # expanded by the shard's shell, not here
shard='bin=$1 config=$2 out=$3 i=$4 n=$5; shift 5
dir="$out/shard-$i"; resume=
[ -f "$dir/manifest.json" ] && resume=--resume
exec "$bin" run --config "$config" --out "$dir" --shard "$i/$n" --quiet $resume "$@"'

start=$(date +%s.%N)
parallel --will-cite --halt soon,fail=1 --joblog "$out/logs/parallel.joblog" \
  --tagstring 'shard {}' -q "$@" \
  bash -c "$shard" kvscope-shard "$kvscope" "$config" "$out" {} "$n" "${run_args[@]}" \
  ::: $(seq 1 "$n")

# parallel can report success for a job that never started on a remote host (its worker
# there could not exec the shell); name such shards instead of leaving it to the merge.
shard_dirs=() not_run=()
for ((i = 1; i <= n; i++)); do
  shard_dirs+=("$out/shard-$i")
  [ -f "$out/shard-$i/manifest.json" ] || not_run+=("$i")
done
if [ ${#not_run[@]} -gt 0 ]; then
  echo "sweep.sh: shard(s) ${not_run[*]} of $n wrote no manifest (did not run; see $out/logs/parallel.joblog)" >&2
  exit 1
fi
"$kvscope" merge "${shard_dirs[@]}" --out "$out/merged"
awk -v a="$start" -v b="$(date +%s.%N)" -v n="$n" -v o="$out/merged" \
  'BEGIN { printf "sweep.sh: %d shards and merge in %.1f s -> %s\n", n, b - a, o }' >&2
