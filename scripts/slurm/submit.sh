#!/usr/bin/env bash
# Submits a sharded kvscope sweep to Slurm: a job array of N shards
# (scripts/slurm/sweep.sbatch) and a merge job that starts when every shard has succeeded.
#
#   scripts/slurm/submit.sh CONFIG OUTDIR N [-- SBATCH_OPTIONS...]
#
# CONFIG and OUTDIR must be on a filesystem every node sees (they are made absolute here).
# SBATCH_OPTIONS go to both jobs (e.g. --partition=short --time=02:00:00 --account=lab).
# Writes OUTDIR/shard-1..N (one kvscope run folder each), OUTDIR/merged (the merged
# metrics.csv and manifest.json) and OUTDIR/logs (Slurm's output of every task).
# Prints "ARRAYJOBID MERGEJOBID" on stdout. Environment: KVSCOPE (the binary; default
# kvscope on PATH, resolved here to an absolute path), KVSCOPE_RUN_ARGS (more `kvscope run`
# options, e.g. "--tokens 4096"). If a shard fails the merge job is cancelled
# (--kill-on-invalid-dep); resubmit the failed tasks with
#   KVSCOPE_SHARDS=N sbatch --array=I,J,... --output=OUTDIR/logs/shard-%a.out \
#       scripts/slurm/sweep.sbatch CONFIG OUTDIR
# (they resume), then the merge line that this script prints.
set -euo pipefail

usage() { echo "usage: submit.sh CONFIG OUTDIR N [-- SBATCH_OPTIONS...]" >&2; exit 2; }
[ $# -ge 3 ] || usage
config=$1 out=$2 n=$3
shift 3
if [ $# -gt 0 ]; then [ "$1" = "--" ] || usage; shift; fi
[[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "submit.sh: N must be a positive integer, got '$n'" >&2; exit 2; }
[ -f "$config" ] || { echo "submit.sh: no config file '$config'" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config=$(realpath "$config")
out=$(realpath -m "$out")
kvscope=$(command -v "${KVSCOPE:-kvscope}" || true)
[ -n "$kvscope" ] || { echo "submit.sh: no kvscope binary ('${KVSCOPE:-kvscope}'); set KVSCOPE" >&2; exit 2; }
kvscope=$(realpath "$kvscope")
mkdir -p "$out/logs"

export KVSCOPE="$kvscope" KVSCOPE_SHARDS="$n" KVSCOPE_RUN_ARGS="${KVSCOPE_RUN_ARGS:-}"
array_id=$(sbatch --parsable --array="1-$n" --job-name=kvscope-sweep \
  --output="$out/logs/shard-%a.out" "$@" "$here/sweep.sbatch" "$config" "$out")
array_id=${array_id%%;*}  # --parsable prints "id;cluster" on multi-cluster setups
merge_id=$(sbatch --parsable --dependency="afterok:$array_id" --kill-on-invalid-dep=yes \
  --job-name=kvscope-merge --output="$out/logs/merge.out" "$@" \
  "$here/sweep.sbatch" --merge "$config" "$out" "$n")
merge_id=${merge_id%%;*}

{
  echo "submit.sh: array job $array_id ($n shards), merge job $merge_id -> $out/merged"
  echo "submit.sh: watch with: squeue -j $array_id,$merge_id"
  echo "submit.sh: merge by hand: KVSCOPE=$kvscope sbatch --output=$out/logs/merge.out" \
       "$here/sweep.sbatch --merge $config $out $n"
} >&2
echo "$array_id $merge_id"
