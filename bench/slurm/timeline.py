#!/usr/bin/env python3
"""Where a Slurm build's time went, from slurmctld's log (docs/slurm.md, "Where the time goes").

    python3 bench/slurm/timeline.py /var/lib/stepup-slurm-test/log/slurmctld.log --since 03:14:00

Reads the submission, allocation and end of every job submitted at or after --since (the log's own
clock, HH:MM:SS of the day the log ends on, or a full ISO time) and prints the submission rate,
how long a job held its slot, how long a freed slot waited for the next job, and the rate at which
jobs ended: on a one-node cluster of short jobs the last is about the node's slots per second.
"""
import argparse
import datetime
import re
import statistics
from bisect import bisect_left

LINE = re.compile(r"\[(\S+)\] (.*)")
JOB = re.compile(r"JobId=(\d+)")


def read(path):
    submitted, allocated, ended = {}, {}, {}
    for line in open(path, errors="replace"):
        match = LINE.match(line)
        job = JOB.search(line)
        if not match or not job:
            continue
        stamp = datetime.datetime.fromisoformat(match.group(1))
        rest, job = match.group(2), int(job.group(1))
        if "_slurm_rpc_submit_batch_job" in rest:
            submitted[job] = stamp
        elif "sched: Allocate" in rest or "backfill: Started" in rest:
            allocated[job] = stamp
        elif re.search(r"_job_complete: JobId=\d+ done", rest):
            ended[job] = stamp
    return submitted, allocated, ended


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("log", help="slurmctld's log file")
    parser.add_argument("--since", required=True, help="HH:MM:SS or an ISO time: jobs submitted from then on")
    parser.add_argument("--until", help="HH:MM:SS or an ISO time: jobs submitted before then")
    args = parser.parse_args()
    submitted, allocated, ended = read(args.log)
    if not submitted:
        raise SystemExit("no submissions in the log")
    day = max(submitted.values()).date()

    def moment(text):
        return datetime.datetime.fromisoformat(text if "T" in text else "%sT%s" % (day, text))

    since = moment(args.since)
    until = moment(args.until) if args.until else datetime.datetime.max
    jobs = sorted(j for j, t in submitted.items() if since <= t < until and j in allocated and j in ended)
    if len(jobs) < 2:
        raise SystemExit("fewer than two jobs that ran in that window")
    seconds = lambda a, b: (b - a).total_seconds()
    first, last = submitted[jobs[0]], submitted[jobs[-1]]
    held = [seconds(allocated[j], ended[j]) for j in jobs]
    ends = sorted(ended[j] for j in jobs)
    waits = []
    for j in jobs:
        i = bisect_left(ends, allocated[j])
        if i > 0:
            waits.append(seconds(ends[i - 1], allocated[j]))
    start, finish = min(allocated[j] for j in jobs), max(ends)
    passes = len({allocated[j].replace(microsecond=allocated[j].microsecond // 100000 * 100000) for j in jobs})
    print("| what | figure |\n|---|---|")
    print("| jobs | %d (ids %d-%d) |" % (len(jobs), jobs[0], jobs[-1]))
    print("| submissions | %.1f jobs/s over %.1f s |" % (len(jobs) / max(seconds(first, last), 1e-9), seconds(first, last)))
    print("| submit to first start | %.2f s |" % seconds(first, start))
    print("| slot held per job (start to end) | median %.2f s, max %.2f s |" % (statistics.median(held), max(held)))
    print("| freed slot to next start | median %.2f s |" % statistics.median(waits) if waits else "| freed slot to next start | - |")
    print("| scheduling passes that started jobs | %d |" % passes)
    print("| jobs ended | %.2f jobs/s (first start to last end, %.1f s) |" % (len(jobs) / seconds(start, finish), seconds(start, finish)))


if __name__ == "__main__":
    main()
