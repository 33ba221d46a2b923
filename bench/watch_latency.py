#!/usr/bin/env python3
"""Change-to-start latency of watch mode (`dotnet build -t:StepUpWatch`).

Packs the SDK (or takes `--feed DIR`), starts a watch on a small project (one static input, one
step that copies it, plus `--files` other static files the watch compares), then edits the input
`--edits` times. For each edit it reports the time from the write (just before `write()`) to the
moment the step's `START` line arrives on the watch's standard output, which is what a user
sees; and the director's own part, from the first event it saw to the start of the build (the
`watch:` lines of `.stepup/director.log`). Prints the median and the maximum.

    python3 bench/watch_latency.py [--feed DIR] [--edits 20] [--files 1000]
"""

import argparse
import os
import re
import selectors
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stepup_bench.sdk import Sdk  # noqa: E402

START = "START \u2502 copy"
WATCHING = "PHASE \u2502 watch"


class Notes:
    def warn(self, message):
        print("WARNING: " + message, file=sys.stderr)

    def problem(self, message):
        raise SystemExit("PROBLEM: " + message)


def read_until(process, stream, selector, marker, buffer, deadline):
    """Reads the watch's output until `marker` appears after what was read so far; returns its arrival time."""
    start = len(buffer[0])
    while time.monotonic() < deadline:
        if marker in buffer[0][start:]:
            return buffer[1]
        for _ in selector.select(timeout=0.5):
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                raise SystemExit("the watch ended early:\n" + buffer[0][-3000:])
            buffer[0] += chunk.decode("utf-8", "replace")
            buffer[1] = time.monotonic()
        if process.poll() is not None and marker not in buffer[0][start:]:
            raise SystemExit("the watch ended early:\n" + buffer[0][-3000:])
    raise SystemExit("timed out waiting for %r:\n%s" % (marker, buffer[0][-3000:]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feed", help="a folder with a StepUp.Sdk.*.nupkg (default: pack this repository)")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--files", type=int, default=1000, help="other static files the watch compares")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="stepup-watch-") as tmp:
        sdk = Sdk(tmp, Notes(), feed=args.feed)
        sdk.pack()
        root = Path(tmp) / "p"
        (root / "data").mkdir(parents=True)
        (root / "in.txt").write_text("0\n")
        for i in range(args.files):
            (root / "data" / ("f%d.txt" % i)).write_text("%d\n" % i)
        (root / "bench.stepproj").write_text(
            '<Project Sdk="StepUp.Sdk/%s">\n  <ItemGroup>\n'
            '    <Static Include="in.txt;data/" />\n'
            '    <Step Include="copy" Command="cat ${inp} &gt; ${out}" Inp="in.txt" Out="out.txt" />\n'
            '  </ItemGroup>\n</Project>\n' % sdk.version)
        if not sdk.restore(root, 1):
            return 1
        process = subprocess.Popen(sdk.build_argv(root, ["-t:StepUpWatch", "-v:n"]), cwd=root, env=sdk.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        buffer = ["", 0.0]
        latencies = []
        try:
            read_until(process, process.stdout, selector, WATCHING, buffer, time.monotonic() + 300)
            for i in range(1, args.edits + 1):
                time.sleep(0.3)  # let the watch settle, as between two saves of a user
                written = time.monotonic()
                (root / "in.txt").write_text("%d\n" % i)
                arrived = read_until(process, process.stdout, selector, START, buffer, time.monotonic() + 60)
                latencies.append((arrived - written) * 1000)
                read_until(process, process.stdout, selector, WATCHING, buffer, time.monotonic() + 60)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
            sdk.shutdown_director()
        log = (root / ".stepup" / "director.log").read_text()
        director = [float(m) for m in re.findall(r"watch: \d+ change\(s\), build starts ([0-9.]+) ms", log)]
        print("watch latency over %d edits (%d other static files):" % (len(latencies), args.files))
        print("  write -> START line on the watch's output: median %.1f ms, max %.1f ms"
              % (statistics.median(latencies), max(latencies)))
        if director:
            print("  director, first event seen -> build started: median %.1f ms, max %.1f ms"
                  % (statistics.median(director), max(director)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
