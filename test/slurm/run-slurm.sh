#!/usr/bin/env bash
# The sharded ranking on a REAL Slurm (issue 11): starts munged, slurmctld and slurmd on this machine with a minimal
# single-node configuration in a temporary folder (nothing in /etc is touched, its own munge socket and ports),
# then:
#   1. ranks the examples plus a deterministic sample of 12 OBELiX CIFs on one machine (`ionpath rank`), the reference;
#   2. writes the job-array script with `ionpath slurm` (4 shards), submits it with its wrapper (array + merge job
#      with --dependency=afterok), waits, and checks the merged ranking is identical to the reference;
#   3. submits again with fresh caches, cancels one array task while it is running (scancel, after it has
#      journalled at least one result), checks the dependent merge did not run and `merge` refuses the set, re-submits
#      that shard alone, checks it resumed from its journal, merges and checks identity again; a finished shard
#      re-run does nothing;
#   4. submits once more with a space and a quote in the input, script and results paths, and checks the logs and
#      the merged ranking land where they should;
#   5. stops the daemons and removes the folder (also on failure or interrupt: a trap kills every process that
#      carries this run's marker in its environment, so no daemon, step or job survives).
# Installs nothing (CI: apt-get install slurm-wlm munge). Bounded to 5 minutes. Closing line: "slurm: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
LIMIT_S=${IONPATH_SLURM_TEST_LIMIT_S:-300}
START=$SECONDS
passed=0; failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
bad() { echo "not ok - $1"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
left() { echo $((LIMIT_S - (SECONDS - START))); }
finish() { echo "slurm: $passed passed, $failed failed"; [ "$failed" = 0 ]; exit $?; }

# --- prerequisites (installed by CI, not here) ---
missing=()
for tool in munged slurmctld slurmd sbatch squeue sinfo scancel scontrol; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "not ok - Slurm is not installed (missing: ${missing[*]}); CI installs it with: apt-get install slurm-wlm munge"
  echo "slurm: 0 passed, 1 failed"; exit 1
fi
export PATH="$PATH:/usr/sbin"
if [ "$(id -u)" != 0 ]; then
  # slurmd must be root to start job steps; re-run this script as root when we may.
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then exec sudo -E env "PATH=$PATH" bash "$0" "$@"; fi
  echo "not ok - slurmd needs root and sudo is not available without a password"
  echo "slurm: 0 passed, 1 failed"; exit 1
fi
NODE=$(command -v node) || { echo "not ok - node not found"; echo "slurm: 0 passed, 1 failed"; exit 1; }
[ -f dist/cli.js ] && [ -f dist/worker.js ] || node esbuild.mjs || { echo "not ok - build failed"; echo "slurm: 0 passed, 1 failed"; exit 1; }
CLI=$ROOT/dist/cli.js

WORK=$(mktemp -d /tmp/ionpath-slurm.XXXXXX)
chmod 755 "$WORK"
# The daemons (and so every slurmstepd) and every submission (and so every job) carry this marker in their
# environment: cleanup kills exactly those processes. This shell does not carry it.
MARK="IONPATH_SLURM_TEST_RUN=$WORK"
export SLURM_CONF=$WORK/slurm.conf

marked_pids() { # processes whose environment carries this run's marker (one grep over /proc, not one per process)
  grep -lzxF "$MARK" /proc/[0-9]*/environ 2>/dev/null | sed -nE 's|^/proc/([0-9]+)/environ$|\1|p' | grep -vx "$$" || true
}
daemon_pid() { cat "$WORK/$1" 2>/dev/null; }
stop_pid() { # pid, seconds: TERM, then wait for it to go
  local pid=$1 n=$(( $2 * 10 )) i
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 "$n"); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}
cleanup() {
  trap - EXIT INT TERM
  local pid i
  # Jobs first, while the daemons can still end them; then slurmd, slurmctld, munged, in that order.
  if [ -n "$(daemon_pid slurmctld.pid)" ]; then
    scancel --quiet --full --user=root 2>/dev/null || true
    for i in $(seq 1 40); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.25; done
  fi
  stop_pid "$(daemon_pid slurmd.pid)" 5
  stop_pid "$(daemon_pid slurmctld.pid)" 5
  stop_pid "$(daemon_pid munge/munged.pid)" 3
  # Anything of this run still alive (a slurmstepd or a job whose daemon went first): killed.
  for i in 1 2 3; do
    pid=$(marked_pids)
    [ -z "$pid" ] && break
    kill -KILL $pid 2>/dev/null
    sleep 0.3
  done
  if [ -n "$(marked_pids)" ]; then echo "warning: processes of this run still alive: $(marked_pids | tr '\n' ' ')"; fi
  if [ -z "${IONPATH_SLURM_KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap 'cleanup; finish' EXIT
trap 'echo "interrupted"; failed=$((failed + 1)); exit 1' INT TERM
show_logs() { for f in "$WORK"/slurmctld.log "$WORK"/slurmd.log "$WORK"/munge/munged.log; do [ -f "$f" ] && { echo "--- $f (last lines)"; tail -n 15 "$f"; }; done; }

# --- two free TCP ports for slurmctld and slurmd ---
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
CTLD_PORT=""; SLURMD_PORT=""
for base in $(shuf -i 20000-29000 -n 20); do
  if port_free "$base" && port_free $((base + 1)); then CTLD_PORT=$base; SLURMD_PORT=$((base + 1)); break; fi
done
[ -n "$CTLD_PORT" ] || { bad "no free TCP ports for slurmctld/slurmd"; exit 1; }

# --- munge: our own key, socket and daemon ---
# The socket's folder must be searchable by all (munged checks); the key's folder is root's alone.
mkdir -p "$WORK/munge" "$WORK/munge-key" && chmod 755 "$WORK/munge" && chmod 700 "$WORK/munge-key"
dd if=/dev/urandom of="$WORK/munge-key/munge.key" bs=1024 count=1 status=none && chmod 400 "$WORK/munge-key/munge.key"
env "$MARK" munged --key-file="$WORK/munge-key/munge.key" --socket="$WORK/munge/munge.socket" --pid-file="$WORK/munge/munged.pid" \
  --log-file="$WORK/munge/munged.log" --seed-file="$WORK/munge/munged.seed" >"$WORK/munge/start.log" 2>&1
for i in $(seq 1 50); do [ -S "$WORK/munge/munge.socket" ] && break; sleep 0.1; done
if [ -S "$WORK/munge/munge.socket" ]; then ok "munged started (own key and socket)"; else bad "munged did not start"; cat "$WORK/munge/start.log"; show_logs; exit 1; fi

# --- a minimal single-node Slurm ---
mkdir -p "$WORK/state" "$WORK/spool"
: >"$WORK/plugstack.conf"
# Two CPUs (two shards at a time), fewer if the machine has fewer (slurmd drains a node with fewer CPUs than configured).
NCPU=$(nproc); [ "$NCPU" -gt 2 ] && NCPU=2
cat >"$SLURM_CONF" <<EOF
ClusterName=ionpathtest
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
AuthInfo=socket=$WORK/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
KillWait=5
MinJobAge=600
PlugStackConfig=$WORK/plugstack.conf
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$NCPU State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
env "$MARK" slurmctld -c -f "$SLURM_CONF" >"$WORK/slurmctld.start.log" 2>&1 || { bad "slurmctld did not start"; cat "$WORK/slurmctld.start.log"; show_logs; exit 1; }
env "$MARK" slurmd -f "$SLURM_CONF" -N localhost >"$WORK/slurmd.start.log" 2>&1 || { bad "slurmd did not start"; cat "$WORK/slurmd.start.log"; show_logs; exit 1; }
state=""
for i in $(seq 1 60); do
  state=$(sinfo -h -N -n localhost -o '%t' 2>/dev/null | head -1)
  [ "$state" = idle ] && break
  sleep 0.5
done
if [ "$state" = idle ]; then ok "slurmctld and slurmd up, node localhost idle (ports $CTLD_PORT/$SLURMD_PORT)"; else bad "node not idle after 30 s (state '${state}')"; show_logs; exit 1; fi

# --- the input: the examples plus every 21st OBELiX CIF (12, by sorted name), in two subfolders ---
mkdir -p "$WORK/input/examples" "$WORK/input/obelix"
cp examples/*.cif "$WORK/input/examples/"
OBELIX=../shared/data/obelix/cifs
if [ -d "$OBELIX" ]; then
  ls "$OBELIX" | grep -i '\.cif$' | sort | awk 'NR % 21 == 1' | head -n 12 | while read -r f; do cp "$OBELIX/$f" "$WORK/input/obelix/"; done
else
  echo "note: $OBELIX not found: the examples only"
fi
NFILES=$(find "$WORK/input" -name '*.cif' | wc -l)
echo "input: $NFILES CIFs"

# --- 1. the single-machine reference ---
"$NODE" "$CLI" rank "$WORK/input" --jobs 2 --cache "$WORK/ref-cache.json" --out "$WORK/ref.csv" --json-out "$WORK/ref.json" 2>"$WORK/ref.log"
check "single-machine rank of $NFILES files" test -s "$WORK/ref.csv"

same_ranking() { # merged.json reference.json: same rows in the same order with the same numbers and texts
  "$NODE" -e '
    const [a, b] = process.argv.slice(1).map((p) => require(p).rows.map(({ fromCache, seconds, ...r }) => r));
    const d = a.length !== b.length ? `rows ${a.length} vs ${b.length}` : a.map((r, i) => JSON.stringify(r) === JSON.stringify(b[i]) ? null : `row ${i}: ${JSON.stringify(r)} vs ${JSON.stringify(b[i])}`).find(Boolean);
    if (d) { console.error(d); process.exit(1); }' "$1" "$2"
}
wait_jobs() { # job ids…: until none is pending/running, bounded by the time left
  local until=$((SECONDS + $(left) - 20)) q
  while [ $SECONDS -lt $until ]; do
    q=$(squeue -h -o '%i %T' 2>/dev/null | grep -E "^($(echo "$*" | tr ' ' '|'))(_| )" || true)
    [ -z "$q" ] && return 0
    sleep 0.5
  done
  echo "still queued after the time limit:"; squeue; return 1
}
job_state() { scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -1 | cut -d= -f2; }

# --- 2. ionpath slurm writes the scripts; the wrapper submits array + dependent merge ---
"$NODE" "$CLI" slurm "$WORK/input" --shards 4 --method bvse --cpus 1 --time 00:10:00 --partition debug \
  --results "$WORK/run1" --node "$NODE" --out "$WORK/run1/job.sbatch" 2>"$WORK/slurm-cmd.log"
check "ionpath slurm wrote job.sbatch and job.submit.sh" test -x "$WORK/run1/job.sbatch" -a -x "$WORK/run1/job.submit.sh"
check "the array script: 4 tasks, 1 CPU each, threads from SLURM_CPUS_PER_TASK, no GPU asked" \
  bash -c "grep -q '^#SBATCH --array=1-4$' '$WORK/run1/job.sbatch' && grep -q '^#SBATCH --cpus-per-task=1$' '$WORK/run1/job.sbatch' && grep -q 'SLURM_CPUS_PER_TASK' '$WORK/run1/job.sbatch' && ! grep -q gres '$WORK/run1/job.sbatch'"
"$NODE" "$CLI" slurm "$WORK/input" --shards 4 --gpu --out "$WORK/gpu/job.sbatch" 2>/dev/null
check "--gpu asks Slurm for one GPU per task" grep -q '^#SBATCH --gres=gpu:1$' "$WORK/gpu/job.sbatch"
check "the wrapper submits the merge with --dependency=afterok" grep -q -- '--dependency=afterok:' "$WORK/run1/job.submit.sh"

submit_out=$(env "$MARK" bash "$WORK/run1/job.submit.sh" 2>&1); echo "$submit_out"
ARRAY1=$(echo "$submit_out" | sed -nE 's/.*shards are job ([0-9]+).*/\1/p')
MERGE1=$(echo "$submit_out" | sed -nE 's/.*the merge is job ([0-9]+).*/\1/p')
if [ -n "$ARRAY1" ] && [ -n "$MERGE1" ]; then ok "submitted: array $ARRAY1, merge $MERGE1"; else bad "submission failed"; show_logs; exit 1; fi
check "array and merge finished within the time limit" wait_jobs "$ARRAY1" "$MERGE1"
check "the merge job completed (state $(job_state "$MERGE1"))" test "$(job_state "$MERGE1")" = COMPLETED
check "merged ranking.csv is byte-identical to the single-machine rank" cmp "$WORK/run1/ranking.csv" "$WORK/ref.csv"
check "merged ranking.json has the same rows and numbers" same_ranking "$WORK/run1/ranking.json" "$WORK/ref.json"
for k in 1 2 3 4; do [ -s "$WORK/run1/shard-$k-of-4.json" ] || bad "shard $k wrote no output"; done
if [ $failed -gt 0 ]; then for f in "$WORK"/run1/logs/*.log; do echo "--- $f"; tail -n 5 "$f"; done; fi

# --- 3. kill one task mid-run, resubmit it alone, merge again ---
"$NODE" "$CLI" slurm "$WORK/input" --shards 4 --method bvse --cpus 1 --time 00:10:00 \
  --results "$WORK/run2" --node "$NODE" --out "$WORK/run2/job.sbatch" 2>/dev/null
submit_out=$(env "$MARK" bash "$WORK/run2/job.submit.sh" 2>&1); echo "$submit_out"
ARRAY2=$(echo "$submit_out" | sed -nE 's/.*shards are job ([0-9]+).*/\1/p')
MERGE2=$(echo "$submit_out" | sed -nE 's/.*the merge is job ([0-9]+).*/\1/p')
KILLED=""
until=$((SECONDS + 120))
while [ -z "$KILLED" ] && [ $SECONDS -lt $until ]; do
  for k in 1 2 3 4; do
    j="$WORK/run2/.ionpath-cache/shard-$k-of-4/results.jsonl"
    st=$(squeue -h -j "${ARRAY2}_$k" -o '%T' 2>/dev/null | head -1)
    if [ "$st" = RUNNING ] && [ -s "$j" ] && [ ! -e "$WORK/run2/shard-$k-of-4.json" ]; then
      scancel "${ARRAY2}_$k" && KILLED=$k && JOURNALLED=$(grep -c . "$j") && break
    fi
  done
  [ -n "$(squeue -h -j "$ARRAY2" 2>/dev/null)" ] || break
  sleep 0.1
done
if [ -n "$KILLED" ]; then ok "cancelled shard $KILLED/4 (job ${ARRAY2}_$KILLED) while running, after $JOURNALLED journalled results"; else bad "could not catch a shard mid-run"; fi
wait_jobs "$ARRAY2" "$MERGE2" || { scancel "$ARRAY2" "$MERGE2" 2>/dev/null; }
if [ -n "$KILLED" ]; then
  check "the dependent merge did not run after the cancelled shard (state $(job_state "$MERGE2"))" test "$(job_state "$MERGE2")" != COMPLETED -a ! -e "$WORK/run2/ranking.csv"
  check "the cancelled shard left no complete output" bash -c "[ ! -e '$WORK/run2/shard-$KILLED-of-4.csv' ]"
  "$NODE" "$CLI" merge "$WORK"/run2/shard-*-of-4.json --out "$WORK/run2/ranking.csv" 2>"$WORK/merge-refused.log"
  rc=$?; cat "$WORK/merge-refused.log"
  check "merge refuses the set with shard $KILLED missing or incomplete" bash -c "[ $rc != 0 ] && grep -Eq 'shard $KILLED/4 .*incomplete|missing 1 of 4 shards: $KILLED/4' '$WORK/merge-refused.log' && [ ! -e '$WORK/run2/ranking.csv' ]"
  RESUB=$(env "$MARK" sbatch --parsable --array="$KILLED" "$WORK/run2/job.sbatch" | cut -d';' -f1)
  check "resubmitted shard $KILLED alone (job $RESUB) and it finished" wait_jobs "$RESUB"
  log="$WORK/run2/logs/shard-$KILLED-of-4.job$RESUB.log"
  tail -n 4 "$log"
  check "the resubmitted shard resumed from its journal" grep -Eq "resuming: [1-9][0-9]* results" "$log"
  check "and took those results from its cache" grep -Eq "computed, [1-9][0-9]* from cache" "$log"
  "$NODE" "$CLI" merge "$WORK"/run2/shard-*-of-4.json --out "$WORK/run2/ranking.csv" --json "$WORK/run2/ranking.json"
  check "after the resubmission: merged ranking.csv identical to the single-machine rank" cmp "$WORK/run2/ranking.csv" "$WORK/ref.csv"
  check "after the resubmission: same rows and numbers in ranking.json" same_ranking "$WORK/run2/ranking.json" "$WORK/ref.json"
  before=$(stat -c %y "$WORK/run2/shard-$KILLED-of-4.json")
  again=$("$NODE" "$CLI" rank "$WORK/input" --shard "$KILLED/4" --out "$WORK/run2/shard-$KILLED-of-4.csv" --json "$WORK/run2/shard-$KILLED-of-4.json" \
    --cache "$WORK/run2/.ionpath-cache/shard-$KILLED-of-4" 2>&1)
  echo "$again"
  after=$(stat -c %y "$WORK/run2/shard-$KILLED-of-4.json")
  check "re-running the finished shard does nothing" bash -c "echo '$again' | grep -q 'already complete' && [ '$before' = '$after' ]"
fi
# --- 4. paths with a space and a quote: input, script and results (the log path goes on sbatch's command line) ---
ODD="$WORK/odd dir/it's x"
mkdir -p "$ODD" && cp -r "$WORK/input" "$ODD/in put"
"$NODE" "$CLI" slurm "$ODD/in put" --shards 4 --method bvse --cpus 1 --time 10 \
  --results "$ODD/res ults" --node "$NODE" --out "$ODD/job one.sbatch" 2>"$WORK/slurm-odd.log"
check "ionpath slurm wrote the scripts for paths with a space and a quote" test -x "$ODD/job one.submit.sh"
check "no #SBATCH line carries a path sbatch would split" bash -c "! grep -E '^#SBATCH .*[[:space:]\x27\"]' \"\$1\"" _ "$ODD/job one.sbatch"
submit_out=$(env "$MARK" bash "$ODD/job one.submit.sh" 2>&1); echo "$submit_out"
ARRAY3=$(echo "$submit_out" | sed -nE 's/.*shards are job ([0-9]+).*/\1/p')
MERGE3=$(echo "$submit_out" | sed -nE 's/.*the merge is job ([0-9]+).*/\1/p')
if [ -n "$ARRAY3" ] && [ -n "$MERGE3" ]; then
  ok "submitted with odd paths: array $ARRAY3, merge $MERGE3"
  check "array and merge with odd paths finished within the time limit" wait_jobs "$ARRAY3" "$MERGE3"
  check "the merge job with odd paths completed (state $(job_state "$MERGE3"))" test "$(job_state "$MERGE3")" = COMPLETED
  check "the shard logs and the merge log are in the results folder with a space" \
    bash -c 'for k in 1 2 3 4; do [ -s "$1/logs/shard-$k-of-4.job$2.log" ] || exit 1; done; [ -e "$1/logs/merge.log" ]' _ "$ODD/res ults" "$ARRAY3"
  check "merged ranking.csv under odd paths is byte-identical to the single-machine rank" cmp "$ODD/res ults/ranking.csv" "$WORK/ref.csv"
  if [ $failed -gt 0 ]; then ls -la "$ODD/res ults" "$ODD/res ults/logs"; for f in "$ODD/res ults"/logs/*.log; do echo "--- $f"; tail -n 5 "$f"; done; fi
else
  bad "submission with odd paths failed"
fi
echo "elapsed: $((SECONDS - START)) s"
