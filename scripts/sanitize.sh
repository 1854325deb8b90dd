#!/usr/bin/env bash
# Sanitizer and fuzz jobs (CI runs all three after the README test command). Each builds with
# clang-14 at -O1 with line tables only (no full debug info) in its own folder, only the targets
# it runs, and fails on any report:
#   asan [SHARDS]   AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/): kvscope_asan_tests
#                   (loaders, config parser, every sketch through the contract test, session, the
#                   command line and the malformed-input suite), run in SHARDS parallel shards
#   tsan [SHARDS]   ThreadSanitizer (build-tsan/): kvscope_tsan_tests (the Runner against its
#                   callers, the Session, the embedding tracker)
#   fuzz [SECONDS]  every libFuzzer target for SECONDS each (default 30) from its seed corpus in
#                   tests/fuzz/corpus/; shares build-asan/ (the engine is compiled once with
#                   -fsanitize=address,undefined,fuzzer-no-link). Findings go to build-asan/fuzz/.
#   fuzz-one TARGET RUNS   one target for RUNS executions (the >= 10^6 acceptance runs)
# Usage: scripts/sanitize.sh [asan] [tsan] [fuzz] (default: asan tsan fuzz)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install_deps.sh" --sanitizers

export CC=clang-14 CXX=clang++-14
symbolizer=/usr/lib/llvm-14/bin/llvm-symbolizer
[ -x "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH=$symbolizer TSAN_SYMBOLIZER_PATH=$symbolizer
export ASAN_OPTIONS=abort_on_error=1:halt_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
cores=$(nproc)

configure() {  # folder, sanitizer flags, extra cmake arguments...
  local dir=$1 flags=$2
  shift 2
  local launcher=()
  if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  # Build type "Sanitize": our flags only (asserts stay on: Eigen's bounds checks help too).
  cmake -S "$root" -B "$root/$dir" -G Ninja -DCMAKE_BUILD_TYPE=Sanitize \
    -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -gline-tables-only -fno-omit-frame-pointer -Wno-unknown-warning-option $flags" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" -DKVSCOPE_BUILD_BENCH=OFF "${launcher[@]}" "$@" >/dev/null
}

asan_build() {
  configure build-asan "-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all" \
    -DKVSCOPE_FUZZ=ON
}

run_sharded() {  # binary, shards
  local bin=$1 shards=$2 pids=() status=0
  for ((i = 0; i < shards; i++)); do
    GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$i "$bin" --gtest_brief=1 \
      >"$bin.shard$i.log" 2>&1 &
    pids+=($!)
  done
  for ((i = 0; i < shards; i++)); do
    if ! wait "${pids[$i]}"; then
      status=1
      echo "sanitize: shard $i of $(basename "$bin") failed:" >&2
      tail -n 60 "$bin.shard$i.log" >&2
    fi
  done
  return $status
}

do_asan() {
  asan_build
  cmake --build "$root/build-asan" --parallel "$cores" --target kvscope_asan_tests
  echo "sanitize: running kvscope_asan_tests under ASan + UBSan"
  run_sharded "$root/build-asan/tests/kvscope_asan_tests" "${1:-$cores}"
}

do_tsan() {
  configure build-tsan "-fsanitize=thread"
  cmake --build "$root/build-tsan" --parallel "$cores" --target kvscope_tsan_tests
  echo "sanitize: running kvscope_tsan_tests under TSan"
  run_sharded "$root/build-tsan/tests/kvscope_tsan_tests" "${1:-$cores}"
}

fuzz_targets=(fuzz_npy fuzz_npz fuzz_safetensors fuzz_csv fuzz_run_config fuzz_session)

fuzz_run() {  # target, libFuzzer arguments...
  local target=$1
  shift
  local work="$root/build-asan/fuzz/$target" dict=()
  mkdir -p "$work/corpus" "$work/findings"
  case $target in fuzz_run_config | fuzz_session) dict=(-dict="$root/tests/fuzz/json.dict") ;; esac
  # The seeds stay read-only in the repository; new inputs go to the work corpus.
  (cd "$work" && "$root/build-asan/tests/fuzz/$target" -artifact_prefix="$work/findings/" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "${dict[@]}" "$@" "$work/corpus" \
    "$root/tests/fuzz/corpus/$target" >"$work/log.txt" 2>&1) || {
    echo "sanitize: $target found a problem (inputs in $work/findings):" >&2
    tail -n 40 "$work/log.txt" >&2
    return 1
  }
  echo "sanitize: $target clean, $(grep -o 'stat::number_of_executed_units: [0-9]*' \
    "$work/log.txt" | awk '{print $2}') executions"
}

do_fuzz() {
  local seconds=${1:-30} status=0
  asan_build
  cmake --build "$root/build-asan" --parallel "$cores" --target "${fuzz_targets[@]}"
  for t in "${fuzz_targets[@]}"; do
    fuzz_run "$t" -max_total_time="$seconds" || status=1
  done
  return $status
}

jobs=("$@")
[ ${#jobs[@]} -eq 0 ] && jobs=(asan tsan fuzz)
status=0
while [ ${#jobs[@]} -gt 0 ]; do
  job=${jobs[0]}
  jobs=("${jobs[@]:1}")
  arg=""
  if [ ${#jobs[@]} -gt 0 ] && [[ ${jobs[0]} =~ ^[0-9]+$ ]]; then
    arg=${jobs[0]}
    jobs=("${jobs[@]:1}")
  fi
  case $job in
    asan) do_asan $arg || status=1 ;;
    tsan) do_tsan $arg || status=1 ;;
    fuzz) do_fuzz $arg || status=1 ;;
    fuzz-one)
      asan_build
      target=${jobs[0]}
      runs=${jobs[1]:-1000000}
      jobs=("${jobs[@]:2}")
      cmake --build "$root/build-asan" --parallel "$cores" --target "$target"
      fuzz_run "$target" -runs="$runs" || status=1
      ;;
    *)
      echo "sanitize: unknown job '$job' (asan, tsan, fuzz [SECONDS], fuzz-one TARGET RUNS)" >&2
      exit 2
      ;;
  esac
done
exit $status
