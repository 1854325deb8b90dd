#!/usr/bin/env bash
# Brings up a throw-away single-node Slurm cluster (Debian's slurm-wlm and munge, no systemd,
# no cgroups) in a temporary folder, runs a sharded kvscope sweep on it as a job array with a
# dependent merge job (scripts/slurm/submit.sh), and checks that the merged metrics.csv is
# byte-identical to the same sweep run unsharded; then the recovery path (a failed task, the
# merge cancelled, the task resubmitted alone resumes). Prints the wall time of each phase.
# Everything it starts (munged, slurmctld, slurmd) it stops on exit, by PID; nothing else.
#
#   scripts/slurm/single_node_test.sh [--kvscope BIN] [--config JSON] [--tokens T] [--shards N]
#                                     [--smoke] [--no-recovery] [--keep]
#
#   --kvscope BIN  the kvscope binary (default: build/kvscope of this checkout)
#   --config JSON  the sweep (default: tests/data/sweep_small.json). With "timing": false the
#                  CSVs must match byte for byte; with timing on, all but update_us and query_us
#   --tokens T     passed to every kvscope run (shortens a shipped config)
#   --shards N     array size (default 3)
#   --smoke        only bring the cluster up and run `sbatch --array=1-3%2 --wrap hostname`
#                  (needs no kvscope)
#   --no-recovery  skip the second array: its task 2 fails, the merge job is cancelled, task 2
#                  is resubmitted alone (it must resume), then merged and compared again
#   --keep         leave the temporary folder (configuration, logs, outputs) in place
#
# Needs slurm-wlm and munge (scripts/install_deps.sh installs them) and root (slurmd launches
# the jobs); exits 77 (ctest's "skipped") when either is missing. Ports: SLURM_TEST_PORT for
# slurmctld and the next one for slurmd (default: the first free pair from 16817), so a real
# cluster on 6817/6818 is left alone.
# Exit 0 on success, 1 on a failure, 77 when it cannot run here.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kvscope="$repo/build/kvscope"
config="$repo/tests/data/sweep_small.json"
tokens=""
shards=3
smoke=0
keep=0
recovery=1
while [ $# -gt 0 ]; do
  case "$1" in
    --kvscope) kvscope=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    --tokens) tokens=$2; shift 2 ;;
    --shards) shards=$2; shift 2 ;;
    --smoke) smoke=1; shift ;;
    --keep) keep=1; shift ;;
    --no-recovery) recovery=0; shift ;;
    -h|--help) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "single_node_test: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

for tool in munged munge unmunge slurmctld slurmd sbatch squeue sinfo scontrol; do
  if ! command -v "$tool" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$tool" ]; then
    echo "single_node_test: SKIP: '$tool' not found (install slurm-wlm and munge:" \
         "scripts/install_deps.sh)" >&2
    exit 77
  fi
done
export PATH="$PATH:/usr/sbin:/sbin"
if [ "$(id -u)" -ne 0 ]; then
  echo "single_node_test: SKIP: needs root (slurmd starts the jobs)" >&2
  exit 77
fi

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
t_start=$(now)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvscope-slurm.XXXXXX")
pids=()
cleanup() {
  local rc=$?
  # Jobs still queued or running (a failure, Ctrl+C) are cancelled through our own controller
  # (SLURM_CONF points at it), so no kvscope outlives the cluster; then the daemons stop in
  # reverse order of start, each by the PID we got when starting it.
  if [ -n "${SLURM_CONF:-}" ] && [ -n "$(squeue -h -o %i 2>/dev/null)" ]; then
    scancel --user "$(id -un)" 2>/dev/null || true
    for _ in $(seq 50); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.2; done
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$rc" -eq 0 ]; then
    echo "single_node_test: stopped munged, slurmctld, slurmd; total $(since "$t_start")"
  else
    for log in "$tmp"/log/*.log "$tmp"/out/sweep/logs/*.out; do
      [ -f "$log" ] || continue
      echo "---- last lines of $log" >&2
      tail -n 15 "$log" >&2
    done
  fi
  if [ "$keep" -eq 1 ]; then
    echo "single_node_test: kept $tmp"
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "single_node_test: FAIL: $*" >&2; exit 1; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what not ready after ${limit} s"
    sleep 0.2
  done
}

[[ "$shards" =~ ^[1-9][0-9]*$ ]] || fail "--shards must be a positive integer, got '$shards'"
mkdir -p "$tmp"/{munge,state,spool,log,run,out}
chmod 0700 "$tmp/munge"

# ---- munge: a fresh key and a private socket ----------------------------------------------
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$tmp/munge/munge.key"
socket="$tmp/munge/munge.socket"
munged --foreground --force --socket="$socket" --key-file="$tmp/munge/munge.key" \
  --pid-file="$tmp/run/munged.pid" --log-file="$tmp/log/munged.log" \
  --seed-file="$tmp/munge/munged.seed" >"$tmp/log/munged.stdout" 2>&1 &
pids+=($!)
wait_for 20 "munged" bash -c "munge -S '$socket' -n | unmunge -S '$socket'"

# ---- slurm.conf: localhost is controller and the one compute node -------------------------
# Two free ports (slurmctld, slurmd): the first pair from 16817 on where nothing listens.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${SLURM_TEST_PORT:-}
if [ -z "$port" ]; then
  for ((port = 16817; port < 16917; port += 2)); do
    port_free "$port" && port_free $((port + 1)) && break
  done
fi
cpus=$(nproc)
user=$(id -un)
conf="$tmp/slurm.conf"
: >"$tmp/plugstack.conf"
cat >"$conf" <<CONF
ClusterName=kvscope-test
SlurmctldHost=localhost
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool/%n
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
PlugStackConfig=$tmp/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmdTimeout=30
MinJobAge=300
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$conf"

slurmctld -D -i -f "$conf" >"$tmp/log/slurmctld.stdout" 2>&1 &
pids+=($!)
slurmd -D -f "$conf" -N localhost >"$tmp/log/slurmd.stdout" 2>&1 &
pids+=($!)
node_idle() { [ "$(sinfo -h -n localhost -o %t 2>/dev/null)" = "idle" ]; }
wait_for 60 "the node (sinfo)" node_idle
echo "single_node_test: cluster up ($cpus CPUs, munged + slurmctld + slurmd) in $(since "$t_start")"

# Waits until none of the given job ids is pending or running (squeue forgets them soon after).
wait_jobs() {
  local limit=$1; shift
  local deadline=$((SECONDS + limit))
  while [ -n "$(squeue -h -j "$(IFS=,; echo "$*")" -o %i 2>/dev/null)" ]; do
    [ "$SECONDS" -lt "$deadline" ] || { squeue; fail "jobs $* still queued after $limit s"; }
    sleep 0.5
  done
}
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort -u | paste -sd,; }

if [ "$smoke" -eq 1 ]; then
  t=$(now)
  # shellcheck disable=SC2016  # expanded by the job's shell
  # %2 throttles the array; SLURM_ARRAY_TASK_COUNT must still be 3 (sweep.sbatch relies on it).
  id=$(sbatch --parsable --array=1-3%2 --chdir="$tmp/out" --output="$tmp/out/hostname-%a.out" \
         --wrap 'echo "$(hostname) task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT"')
  wait_jobs 120 "$id"
  [ "$(job_state "$id")" = "COMPLETED" ] || fail "array $id ended $(job_state "$id")"
  cat "$tmp"/out/hostname-*.out
  [ "$(grep -c ' of 3$' "$tmp"/out/hostname-*.out | grep -c ':1$')" -eq 3 ] ||
    fail "expected 3 task outputs, each 'task I of 3'"
  echo "single_node_test: PASS (smoke: 3-task array in $(since "$t"), total $(since "$t_start"))"
  exit 0
fi

# ---- the sweep: array of shards, dependent merge, then the unsharded reference ------------
[ -x "$kvscope" ] || fail "no kvscope binary at $kvscope (build it: ./scripts/build.sh kvscope)"
[ -f "$config" ] || fail "no config $config"
run_args=()
[ -n "$tokens" ] && run_args+=(--tokens "$tokens")

t=$(now)
ids=$(KVSCOPE="$kvscope" KVSCOPE_RUN_ARGS="${run_args[*]}" \
      "$repo/scripts/slurm/submit.sh" "$config" "$tmp/out/sweep" "$shards")
read -r array_id merge_id <<<"$ids"
wait_jobs 120 "$array_id" "$merge_id"
t_slurm=$(since "$t")
[ "$(job_state "$array_id")" = "COMPLETED" ] || fail "array $array_id ended $(job_state "$array_id")"
[ "$(job_state "$merge_id")" = "COMPLETED" ] || fail "merge $merge_id ended $(job_state "$merge_id")"

t=$(now)
"$kvscope" run --config "$config" --out "$tmp/out/unsharded" --quiet "${run_args[@]}"
t_ref=$(since "$t")

reference="$tmp/out/unsharded/metrics.csv"
# Compares a merged metrics.csv with the unsharded run's; sets `how`.
same_as_reference() {
  local merged=$1
  [ -f "$merged" ] || fail "no merged $merged"
  if grep -Eq '"timing"[[:space:]]*:[[:space:]]*false' "$config"; then
    cmp "$merged" "$reference" || fail "$merged differs from the unsharded run"
    how="byte for byte"
  else
    # Timing on: update_us and query_us (the last two columns, plain numbers) are measured
    # wall times and differ from run to run; everything else must match.
    strip() { sed -E 's/,[^,]*,[^,]*$//' "$1"; }
    [ "$(head -n 1 "$merged" | sed -E 's/.*,([^,]*,[^,]*)$/\1/')" = "update_us,query_us" ] ||
      fail "metrics.csv no longer ends in update_us,query_us"
    cmp <(strip "$merged") <(strip "$reference") || fail "$merged differs from the unsharded run"
    how="byte for byte but for update_us and query_us (timing on)"
  fi
}
merged="$tmp/out/sweep/merged/metrics.csv"
same_as_reference "$merged"
rows=$(($(wc -l <"$merged") - 1))
echo "single_node_test: PASS: $shards-task array + merge = unsharded run, $how ($rows rows)"
echo "single_node_test: times: submit to merged CSV $t_slurm; the same sweep unsharded" \
     "(one process) $t_ref"

# ---- recovery: task 2 fails, the merge is cancelled; task 2 resubmitted alone resumes ------
# The first array goes through a wrapper that logs every kvscope command line and, for shard 2,
# reports failure after kvscope finished (as if the node died after the last row), so the
# resubmitted task finds a manifest and must continue it with --resume.
if [ "$recovery" -eq 1 ] && [ "$shards" -ge 2 ]; then
  t=$(now)
  rec="$tmp/out/recovery"
  cat >"$tmp/flaky_kvscope" <<WRAP
#!/usr/bin/env bash
echo "\$*" >>"$tmp/calls.log"
"$kvscope" "\$@" || exit
for a in "\$@"; do
  if [ "\$a" = "2/$shards" ] && [ -n "\${FLAKY:-}" ]; then echo "flaky: shard 2 fails" >&2; exit 1; fi
done
WRAP
  chmod +x "$tmp/flaky_kvscope"
  ids=$(FLAKY=1 KVSCOPE="$tmp/flaky_kvscope" KVSCOPE_RUN_ARGS="${run_args[*]}" \
        "$repo/scripts/slurm/submit.sh" "$config" "$rec" "$shards" 2>/dev/null)
  read -r array_id merge_id <<<"$ids"
  wait_jobs 120 "$array_id" "$merge_id"
  [[ "$(job_state "$array_id")" == *FAILED* ]] || fail "flaky array ended $(job_state "$array_id")"
  [ "$(job_state "$merge_id")" = "CANCELLED" ] ||
    fail "merge after a failed task ended $(job_state "$merge_id"), not CANCELLED"
  retry_id=$(KVSCOPE="$tmp/flaky_kvscope" KVSCOPE_SHARDS="$shards" \
    KVSCOPE_RUN_ARGS="${run_args[*]}" sbatch --parsable --array=2 \
    --output="$rec/logs/shard-%a.retry.out" "$repo/scripts/slurm/sweep.sbatch" "$config" "$rec")
  merge_id=$(KVSCOPE="$kvscope" sbatch --parsable --dependency="afterok:$retry_id" \
    --kill-on-invalid-dep=yes --output="$rec/logs/merge.out" \
    "$repo/scripts/slurm/sweep.sbatch" --merge "$config" "$rec" "$shards")
  wait_jobs 120 "$retry_id" "$merge_id"
  [ "$(job_state "$retry_id")" = "COMPLETED" ] || fail "retry ended $(job_state "$retry_id")"
  [ "$(job_state "$merge_id")" = "COMPLETED" ] || fail "merge ended $(job_state "$merge_id")"
  [ "$(grep -c -- "--shard 2/$shards --quiet --resume" "$tmp/calls.log")" -eq 1 ] ||
    fail "the resubmitted task did not resume shard 2: $(cat "$tmp/calls.log")"
  same_as_reference "$rec/merged/metrics.csv"
  echo "single_node_test: PASS: recovery: task 2 failed, merge cancelled; task 2 resubmitted" \
       "alone resumed (--resume), merged = unsharded run, $how ($(since "$t"))"
fi
echo "single_node_test: everything but teardown $(since "$t_start")"
