#!/usr/bin/env bash
# Peak resident memory of `kvscope run` against the stream's length: issue 15's "memory flat on
# endless streams". Each sketch runs alone (with the exact reference every run has) on the
# isotropic ball at d = 16 with its default parameters, evaluated 8 times per run, and GNU time
# reports the process's peak RSS. A bounded sketch's row must stay flat from the shortest stream
# to the longest; a run streams no faster than its slowest sketch, so long streams take minutes.
#
#   bench/peak_rss.sh [--kvscope build/kvscope] [--tokens "1000000 10000000"]
#                     [--sketches "uniform h2o ..."] [--together] [--probes 64]
#
# --together runs the listed sketches in one process instead (one row, "all listed").
# Needs /usr/bin/time (Debian package `time`). Prints a Markdown table.
set -euo pipefail

kvscope=build/kvscope
tokens="1000000 10000000"
probes=64
together=0
# Every sketch whose state is bounded by its parameters (exact, kivi, qjl and
# balance_kv_reference keep every token, the last after its one-shot compression).
sketches="uniform uniform_halving merge_reduce weighted_merge_reduce balance_kv
sliding_window streaming_llm h2o snapkv key_norm sinks_window taylor
lsh_partition hybrid subgen"
while [ $# -gt 0 ]; do
    case "$1" in
        --kvscope) kvscope=$2; shift 2 ;;
        --tokens) tokens=$2; shift 2 ;;
        --sketches) sketches=$2; shift 2 ;;
        --probes) probes=$2; shift 2 ;;
        --together) together=1; shift ;;
        *) echo "peak_rss.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[ -x /usr/bin/time ] || { echo "peak_rss.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
[ -x "$kvscope" ] || { echo "peak_rss.sh: no kvscope at '$kvscope' (build it first)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints "RSS_MB SECONDS" for one run of the sketches in $1 over $2 tokens.
measure() {
    local list=$1 n=$2 entries="" id
    for id in $list; do entries="$entries{\"id\": \"$id\"},"; done
    cat >"$work/c.json" <<JSON
{"schema_version": 1, "seed": 7, "tokens": $n, "eval_every": $((n / 8)), "probe_queries": $probes,
 "timing": false, "source": {"id": "isotropic_ball", "params": {"dim": 16}},
 "sketches": [${entries%,}]}
JSON
    /usr/bin/time -f "%M %e" -o "$work/t" "$kvscope" run --config "$work/c.json" \
        --out "$work/out" --quiet
    awk '{printf "%.0f %.1f", $1 / 1024, $2}' "$work/t"
}

header="| sketch |"
rule="|---|"
for n in $tokens; do header="$header $n tokens: peak MB (s) |"; rule="$rule---|"; done
echo "$header last / first |"
echo "$rule---|"
if [ "$together" = 1 ]; then groups=("$sketches"); else read -r -a groups <<<"$(echo $sketches)"; fi
for group in "${groups[@]}"; do
    label=$group
    [ "$together" = 1 ] && label="all listed: $(echo $group)"
    row="| $label |"
    first="" last=""
    for n in $tokens; do
        read -r mb secs <<<"$(measure "$group" "$n")"
        row="$row $mb ($secs) |"
        [ -z "$first" ] && first=$mb
        last=$mb
    done
    echo "$row $(awk -v a="$first" -v b="$last" 'BEGIN {printf "%.2f", b / a}') |"
done
