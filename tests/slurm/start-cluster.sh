#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine for StepUp's Slurm tests and benchmarks.
#
# Installs Debian's slurmctld, slurmd, slurm-client and munge when missing, writes a configuration
# for this machine under $STEPUP_SLURM_DIR (default /var/lib/stepup-slurm-test), starts munged,
# slurmctld and slurmd from there (the system's /etc/slurm and /etc/munge are left alone) and waits
# until the node is ready. Running it again while the cluster is up returns at once.
#
# Prints one line on stdout, SLURM_CONF=<path>, for the caller to export (Slurm's commands read
# their configuration from SLURM_CONF); the same line is in $STEPUP_SLURM_DIR/env. Progress and
# errors go to stderr; a non-zero exit means the cluster is not usable, and the last line says why.
set -euo pipefail

dir=${STEPUP_SLURM_DIR:-/var/lib/stepup-slurm-test}
conf=$dir/slurm.conf
munge_dir=$dir/munge
munge_socket=$munge_dir/munge.socket
# Not Slurm's default ports, so that a system Slurm on the same machine is not disturbed.
ctld_port=${STEPUP_SLURM_CTLD_PORT:-6917}
slurmd_port=${STEPUP_SLURM_SLURMD_PORT:-6918}
ready_timeout=${STEPUP_SLURM_READY_TIMEOUT:-60}

say() { echo "start-cluster: $*" >&2; }
fail() { echo "start-cluster: cannot start the Slurm test cluster: $*" >&2; exit 1; }

node=$(hostname -s)
# STEPUP_SLURM_CPUS declares more job slots than cores, for benchmarks of many tiny jobs.
cpus=${STEPUP_SLURM_CPUS:-$(nproc)}
memory_mb=$(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024 ))

new_conf=$(cat <<EOF
# Written by tests/slurm/start-cluster.sh: a one-node cluster for StepUp's Slurm tests.
ClusterName=stepup-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge_socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SwitchType=switch/none
# A node that restarts comes back by itself; slurmd reports what this file says (not the hardware).
ReturnToService=2
SlurmdParameters=config_overrides
# A job that asks no memory gets this much per CPU, not the whole node.
DefMemPerCPU=1024
# Short jobs start on the controller's next one-second pass rather than after sched_interval
# (60 s) or batch_sched_delay (3 s): docs/slurm.md has the measurements.
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
# A job past its time limit gets SIGTERM, then SIGKILL 5 s later (Slurm's default is 30 s).
KillWait=5
MessageTimeout=10
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
)

# /proc, not kill -0: a user other than root may ask whether root's daemons are up.
pid_alive() { [ -s "$1" ] && [ -d "/proc/$(cat "$1")" ]; }

export SLURM_CONF=$conf

node_state() { command -v sinfo >/dev/null 2>&1 || return 0; timeout 10 sinfo -h -n "$node" -o %t 2>/dev/null | head -1; }

node_ready() {
  case "$(node_state)" in
    idle|mix|mixed|alloc|allocated|comp|completing) return 0 ;;
    *) return 1 ;;
  esac
}

all_alive() {
  pid_alive "$munge_dir/munged.pid" && pid_alive "$dir/run/slurmctld.pid" && pid_alive "$dir/run/slurmd.pid"
}

# Jobs an earlier, interrupted test run left (slurmctld keeps them across restarts) would hold the
# node's CPUs: the test cluster starts with an empty queue.
cancel_leftovers() { timeout 10 scancel -u "$(id -un)" >/dev/null 2>&1 || true; }

if [ -f "$conf" ] && [ "$(cat "$conf")" = "$new_conf" ] && all_alive && node_ready; then
  cancel_leftovers
  echo "SLURM_CONF=$conf"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || fail "it needs root (to install packages and run slurmd); run: sudo $0"
mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/run" 2>/dev/null || fail "cannot create its folder $dir (set STEPUP_SLURM_DIR)"
chmod 755 "$dir"

missing=()
for pair in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || fail "missing ${missing[*]} and no apt-get to install them"
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >"$dir/log/apt.log" 2>&1 || { tail -5 "$dir/log/apt.log" >&2; fail "apt-get update failed"; }
  # The packages' own services are not wanted (this script starts the daemons from its own folder);
  # without systemd, invoke-rc.d refuses to start them anyway.
  apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$dir/log/apt.log" 2>&1 \
    || { tail -5 "$dir/log/apt.log" >&2; fail "apt-get install ${missing[*]} failed (log: $dir/log/apt.log)"; }
fi

# Something is missing or the configuration changed: start over from stopped daemons
# (the saved job state in $dir/state is kept, as on a real cluster).
STEPUP_SLURM_DIR=$dir bash "$(dirname "$0")/stop-cluster.sh" >/dev/null 2>&1 || true
printf '%s\n' "$new_conf" >"$conf"

# munged refuses keys and folders that others can write or read; it runs as the munge user.
mkdir -p "$munge_dir"
chown munge:munge "$munge_dir"
chmod 755 "$munge_dir"
if [ ! -s "$munge_dir/munge.key" ]; then
  dd if=/dev/urandom of="$munge_dir/munge.key" bs=1024 count=1 status=none
fi
chown munge:munge "$munge_dir/munge.key"
chmod 400 "$munge_dir/munge.key"
say "starting munged"
runuser -u munge -- munged --key-file="$munge_dir/munge.key" --socket="$munge_socket" \
  --pid-file="$munge_dir/munged.pid" --log-file="$munge_dir/munged.log" \
  --seed-file="$munge_dir/munged.seed" \
  || fail "munged did not start: $(tail -3 "$munge_dir/munged.log" 2>/dev/null | tr '\n' ' ')"
timeout 10 munge -S "$munge_socket" -n </dev/null | timeout 10 unmunge -S "$munge_socket" >/dev/null 2>&1 \
  || fail "munge does not work: $(tail -3 "$munge_dir/munged.log" 2>/dev/null | tr '\n' ' ')"

say "starting slurmctld"
slurmctld -f "$conf" || fail "slurmctld did not start: $(tail -3 "$dir/log/slurmctld.log" | tr '\n' ' ')"
say "starting slurmd"
slurmd -f "$conf" || fail "slurmd did not start: $(tail -3 "$dir/log/slurmd.log" | tr '\n' ' ')"

deadline=$(( SECONDS + ready_timeout ))
while ! node_ready; do
  state=$(node_state)
  case "$state" in
    down*|drain*|drng*|fail*)
      # A node left down or drained by an earlier run (state kept in $dir/state) is brought back.
      timeout 10 scontrol update NodeName="$node" State=RESUME >/dev/null 2>&1 || true ;;
  esac
  if [ $SECONDS -ge $deadline ]; then
    pid_alive "$dir/run/slurmctld.pid" || say "slurmctld died: $(tail -3 "$dir/log/slurmctld.log" | tr '\n' ' ')"
    pid_alive "$dir/run/slurmd.pid" || say "slurmd died: $(tail -3 "$dir/log/slurmd.log" | tr '\n' ' ')"
    fail "node $node is '${state:-unknown}', not idle, after ${ready_timeout}s (logs: $dir/log)"
  fi
  sleep 0.2
done

cancel_leftovers
echo "SLURM_CONF=$conf" >"$dir/env"
say "node $node is ready ($cpus CPUs, $memory_mb MB) with SLURM_CONF=$conf"
echo "SLURM_CONF=$conf"
