"""`python3 bench/bench.py [options]`: the options, and a run from start to end."""

import argparse
import json
import signal
import sys
import tempfile
import time
from pathlib import Path

from .common import BENCH, log
from .report import Report, machine_description
from .runner import Bench
from .tools import SELECTABLE
from .workflows import SHAPES, STANDARD_SHAPES

def names(text, known, what, parser):
    if text == "all":
        return list(known)
    out = [x.strip() for x in text.split(",") if x.strip()]
    for x in out:
        if x not in known:
            parser.error("unknown %s %s (known: %s)" % (what, x, ",".join(known)))
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(description="StepUp.Sdk benchmark (see bench/README.md)")
    p.add_argument("--smoke", action="store_true",
                   help="every shape at its smallest size (N=100), one repetition, no warm-up; results in a temp file")
    p.add_argument("--reps", type=int, default=None, help="measured repetitions (default 5; smoke 1)")
    p.add_argument("--warmup", type=int, default=None, help="warm-up repetitions, not counted (default 1; smoke 0)")
    p.add_argument("--max-n", type=int, default=None, help="largest N of each shape's default sizes")
    p.add_argument("--sizes", default=None, help="comma-separated N values for every shape (default: each shape's own)")
    p.add_argument("--shapes", default=None,
                   help="comma-separated, or all: %s (default %s; smoke: all)" % (",".join(SHAPES), ",".join(STANDARD_SHAPES)))
    p.add_argument("--tools", default=None,
                   help="comma-separated, or all: %s (default: each shape's own)" % ",".join(SELECTABLE))
    p.add_argument("--idle-rss", default=None,
                   help="comma-separated shapes whose director RSS is read once it has released their projects "
                        "(waits about 2 minutes per series; default fanout; smoke and none: never)")
    p.add_argument("--feed", default=None, help="a folder with a packed StepUp.Sdk to use instead of packing one")
    install = p.add_mutually_exclusive_group()
    install.add_argument("--install", dest="install", action="store_true", default=None,
                         help="install missing tools with apt-get (the default, except in smoke for the peers)")
    install.add_argument("--no-install", dest="install", action="store_false", help="never install a tool")
    p.add_argument("--output", default=None, help="where to write the Markdown results")
    p.add_argument("--keep-temp", action="store_true", help="keep the temporary folders (debugging)")
    p.add_argument("--render", nargs="+", metavar="JSON", default=None,
                   help="measure nothing: write one report (--output) of the RESULTS.json files of earlier runs, "
                        "for a full run made in parts")
    args = p.parse_args(argv)
    if args.render:
        return args
    args.sizes = sorted({int(x) for x in args.sizes.split(",")}) if args.sizes else None
    if args.sizes and args.max_n is not None:
        args.sizes = [n for n in args.sizes if n <= args.max_n]
    args.reps = args.reps if args.reps is not None else (1 if args.smoke else 5)
    args.warmup = args.warmup if args.warmup is not None else (0 if args.smoke else 1)
    if args.shapes is None:
        args.shapes = list(SHAPES) if args.smoke else list(STANDARD_SHAPES)
    else:
        args.shapes = names(args.shapes, SHAPES, "shape", p)
    args.tools = names(args.tools, SELECTABLE, "tool", p) if args.tools else None
    if args.idle_rss is None:
        args.idle_rss = [] if args.smoke else ["fanout"]
    elif args.idle_rss == "none":
        args.idle_rss = []
    else:
        args.idle_rss = names(args.idle_rss, SHAPES, "shape", p)
    if args.reps < 1 or args.warmup < 0 or args.sizes == []:
        p.error("need --reps >= 1, --warmup >= 0 and at least one N")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.render:
        return render_saved(args.render, Path(args.output or BENCH / "RESULTS.md"))
    command = "python3 bench/bench.py" + ("" if len(sys.argv) < 2 else " " + " ".join(sys.argv[1:]))
    if args.output:
        output = Path(args.output)
    elif args.smoke:
        output = Path(tempfile.gettempdir()) / ("stepup-bench-smoke-%s.md" % time.strftime("%Y%m%d-%H%M%S"))
    else:
        output = BENCH / "RESULTS.md"
    bench = Bench(args)
    log("StepUp.Sdk benchmark: sizes %s, shapes %s, tools %s, %d rep(s) + %d warm-up; temp %s, director dir %s"
        % (args.sizes or "each shape's own", ",".join(args.shapes), ",".join(args.tools or ["each shape's own"]),
           args.reps, args.warmup, bench.tmp, bench.sdk.director_dir))

    def on_signal(signum, _frame):
        raise KeyboardInterrupt("signal %d" % signum)

    signal.signal(signal.SIGTERM, on_signal)
    interrupted = False
    try:
        bench.run()
    except KeyboardInterrupt:
        interrupted = True
        bench.problem("interrupted")
    finally:
        bench.cleanup()
    elapsed = time.time() - bench.started
    machine = machine_description(bench.tools)
    report = Report(bench, command, elapsed)
    text = report.render(machine)
    log("")
    log(text)
    output.write_text(text)
    if not args.smoke or args.output:
        json_path = output.with_suffix(".json")
        json_path.write_text(json.dumps({"machine": machine, "command": command, "version": bench.version,
                                         "elapsed": elapsed, "reps": args.reps, "warmup": args.warmup, "feed": args.feed,
                                         "load_start": bench.load_start, "load_end": report.load_end,
                                         "runs": bench.runs, "series": bench.series, "primes": bench.sdk.primes,
                                         "step_cmd_ms": bench.step_cmd_ms, "problems": bench.problems,
                                         "warnings": bench.warnings, "skipped": bench.skipped}, indent=1))
    log("results written to %s (%.1f min)" % (output, elapsed / 60))
    return 1 if (bench.problems or interrupted) else 0


class SavedRuns:
    """What a report needs of a run, put together from the RESULTS.json files of several runs."""

    def __init__(self, saved):
        self.runs = [r for s in saved for r in s["runs"]]
        self.series = [x for s in saved for x in s["series"]]
        self.skipped = [x for s in saved for x in s["skipped"]]
        self.problems = [x for s in saved for x in s["problems"]]
        self.warnings = [x for s in saved for x in s["warnings"]]
        self.step_cmd_ms = {}
        for s in saved:
            for n, values in s["step_cmd_ms"].items():
                self.step_cmd_ms.setdefault(int(n), []).extend(values)
        self.version = ", ".join(dict.fromkeys(s["version"] for s in saved if s.get("version")))
        self.load_start = saved[0].get("load_start", "?")
        self.load_end = saved[-1].get("load_end")
        self.sdk = argparse.Namespace(primes=[p for s in saved for p in s["primes"]], pack_seconds=None)
        self.args = argparse.Namespace(reps=saved[0].get("reps", "?"), warmup=saved[0].get("warmup", "?"),
                                       feed=", ".join(dict.fromkeys(s.get("feed") or "a fresh pack" for s in saved)))


def render_saved(paths, output):
    saved = [json.loads(Path(p).read_text()) for p in paths]
    bench = SavedRuns(saved)
    command = "; ".join("`%s`" % s["command"] for s in saved).strip("`")
    report = Report(bench, command, sum(s.get("elapsed") or 0 for s in saved))
    output.write_text(report.render(saved[0]["machine"]))
    log("%d run(s) rendered to %s" % (len(saved), output))
    return 0
