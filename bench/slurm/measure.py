#!/usr/bin/env python3
"""Measures what Slurm costs StepUp on the cluster that SLURM_CONF points to (docs/slurm.md).

Run it against the local test cluster:
    export $(tests/slurm/start-cluster.sh) && python3 bench/slurm/measure.py
It submits only trivial jobs (`true`, or jobs held so that they never run) and cancels what it
left in the queue. Figures go to stdout as a Markdown table.
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor


def run(args, timeout=120):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=True).stdout


def sbatch(*options, wrap="true"):
    out = run(["sbatch", "--parsable", "-o", "/dev/null", "-e", "/dev/null", *options, "--wrap", wrap])
    return out.strip().split(";")[0]


def queue_size():
    return len(run(["squeue", "-h", "-o", "%i", "-t", "PD,R,CG"]).split())


def wait_empty(limit=1800):
    deadline = time.monotonic() + limit
    while queue_size() > 0:
        if time.monotonic() > deadline:
            raise SystemExit("the queue did not empty in time")
        time.sleep(0.1)


def timed(fn):
    start = time.monotonic()
    fn()
    return time.monotonic() - start


def median_time(fn, reps):
    return statistics.median(timed(fn) for _ in range(reps))


def submission_rate(n, held, parallel):
    options = ["--hold"] if held else []
    start = time.monotonic()
    with ThreadPoolExecutor(parallel) as pool:
        ids = list(pool.map(lambda _: sbatch(*options), range(n)))
    submitted = time.monotonic() - start
    if held:
        run(["scancel", *ids])
        wait_empty()
        return n / submitted, None
    wait_empty()
    return n / submitted, n / (time.monotonic() - start)


def array_rate(n, held):
    options = [f"--array=0-{n - 1}"] + (["--hold"] if held else [])
    start = time.monotonic()
    job = sbatch(*options)
    submitted = time.monotonic() - start
    if held:
        run(["scancel", job])
        wait_empty()
        return submitted, None
    wait_empty()
    return submitted, n / (time.monotonic() - start)


def start_latency(reps, folder):
    latencies = []
    for i in range(reps):
        stamp = os.path.join(folder, f"start.{i}")
        submitted = time.time()
        sbatch(wrap=f"date +%s.%N > {stamp}.tmp && mv {stamp}.tmp {stamp}")
        while not os.path.exists(stamp):
            time.sleep(0.01)
        with open(stamp) as f:
            latencies.append(float(f.read()) - submitted)
        wait_empty()
    return latencies


def poll_cost(n, reps):
    """Cost of one call that reports the state of n held jobs, three ways."""
    # Separate jobs, not an array: slurmctld keeps a pending array as one record until its tasks start.
    ids = [sbatch("--hold") for _ in range(n)]
    joined = ",".join(ids)
    figures = {
        "squeue -j ids": median_time(lambda: run(["squeue", "-h", "-r", "-j", joined, "-o", "%i|%T|%r"]), reps),
        "squeue (own jobs)": median_time(lambda: run(["squeue", "-h", "-r", "--me", "-o", "%i|%T|%r"]), reps),
        "scontrol show job -o": median_time(lambda: run(["scontrol", "-o", "show", "job"]), reps),
    }
    figures["scancel of them all"] = timed(lambda: run(["scancel", *ids]))
    wait_empty()
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=200, help="jobs per submission measurement")
    parser.add_argument("--reps", type=int, default=10, help="repetitions of each timed call")
    parser.add_argument("--parts", default="submit,latency,poll", help="which measurements to run")
    args = parser.parse_args()
    parts = args.parts.split(",")
    if not os.environ.get("SLURM_CONF"):
        raise SystemExit("SLURM_CONF is not set: export $(tests/slurm/start-cluster.sh) first")
    wait_empty()
    config = run(["scontrol", "show", "config"])
    keep = ("MaxJobCount", "MaxArraySize", "MinJobAge", "SchedulerParameters", "SchedulerType",
            "MessageTimeout", "SLURM_VERSION")
    node = run(["scontrol", "-o", "show", "node"]).split()
    print("| setting | value |\n|---|---|")
    for line in config.splitlines():
        key = line.split("=")[0].strip()
        if key in keep:
            print(f"| {key} | {line.split('=', 1)[1].strip()} |")
    print(f"| node | {' '.join(w for w in node if w.split('=')[0] in ('NodeName', 'CPUTot', 'RealMemory'))} |")
    print()
    n = args.jobs
    print("| measurement | figure |\n|---|---|")
    if "submit" in parts:
        measure_submission(n)
    if "latency" in parts:
        with tempfile.TemporaryDirectory(dir=os.getcwd()) as folder:
            latencies = start_latency(args.reps, folder)
        print(f"| submit to start, idle cluster ({args.reps}) | median {statistics.median(latencies) * 1000:.0f} ms,"
              f" max {max(latencies) * 1000:.0f} ms |")
    if "poll" in parts:
        for count in (1, 100, 1000):
            for what, seconds in poll_cost(count, args.reps).items():
                print(f"| {what}, {count} jobs in the queue | {seconds * 1000:.1f} ms per call |")


def measure_submission(n):
    rate, _ = submission_rate(n, held=True, parallel=1)
    print(f"| sbatch, one per job, held jobs ({n}) | {rate:.1f} jobs/s |")
    rate, _ = submission_rate(n, held=True, parallel=4)
    print(f"| sbatch, 4 at a time, held jobs ({n}) | {rate:.1f} jobs/s |")
    rate, done = submission_rate(n, held=False, parallel=1)
    print(f"| sbatch, one per job, jobs running (`true`, {n}) | {rate:.1f} jobs/s submitted, {done:.1f} jobs/s done |")
    seconds, _ = array_rate(1000, held=True)
    print(f"| sbatch --array=0-999, held | {seconds * 1000:.0f} ms for the call |")
    seconds, done = array_rate(n, held=False)
    print(f"| sbatch --array=0-{n - 1}, running (`true`) | {seconds * 1000:.0f} ms for the call, {done:.1f} tasks/s done |")


if __name__ == "__main__":
    main()
