#!/usr/bin/env bash
# Stops the daemons that tests/slurm/start-cluster.sh started (slurmd, slurmctld, munged), by the
# process ids in their pid files under $STEPUP_SLURM_DIR. Jobs still running are killed with slurmd;
# the saved job state stays, so the next start recovers the queue as a real cluster would.
# Stopping a cluster that is not running is fine.
set -uo pipefail

dir=${STEPUP_SLURM_DIR:-/var/lib/stepup-slurm-test}

stop() {
  local name=$1 pid_file=$2 pid
  [ -s "$pid_file" ] || return 0
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "stop-cluster: $name ($pid) did not stop in 10 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
  fi
  rm -f "$pid_file"
}

stop slurmd "$dir/run/slurmd.pid"
stop slurmctld "$dir/run/slurmctld.pid"
stop munged "$dir/munge/munged.pid"
echo "stop-cluster: stopped" >&2
