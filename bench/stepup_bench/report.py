"""RESULTS.md: the tables of a run, from the records the runner made."""

import os
import platform
import shutil
import statistics
import time

from .common import PHASES, REPO
from .measure import load_average, run_quiet
from .tools import DIRECTOR_CLIENTS, FLOOR, TOOLS
from .workflows import SHAPES

PEERS = [name for name, tool in TOOLS.items() if tool.peer]
VARIANTS = [t for t in DIRECTOR_CLIENTS if t != "stepup"]
TOOL_ORDER = {name: i for i, name in enumerate(
    ["stepup", "stepup-server", "stepup-cli", "stepup-slurm", "ninja", "make"] + PEERS + [FLOOR])}
SHAPE_ORDER = {name: i for i, name in enumerate(SHAPES)}


def median_of(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def machine_description(tools):
    info = {}
    info["nproc"] = os.cpu_count()
    model = None
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info["cpu"] = model or platform.processor() or "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                info["memory"] = "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    os_name = platform.system()
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    info["os"] = "%s (kernel %s)" % (os_name, platform.release())
    if shutil.which("dotnet"):
        rc, out = run_quiet(["dotnet", "--version"], cwd=str(REPO), timeout=60)
        info["dotnet"] = out.strip().splitlines()[0] if rc == 0 and out.strip() else "?"
    else:
        info["dotnet"] = "not installed"
    for name in ["make", "ninja"] + [t for t in PEERS if t in tools and TOOLS[t].version_argv]:
        info[name] = TOOLS[name].version()
    info["python"] = platform.python_version()
    info["date"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    return info


class Report:
    def __init__(self, bench, command, elapsed):
        self.b = bench
        self.command = command
        self.elapsed = elapsed
        self.measured = [r for r in bench.runs if not r["warmup"]]
        self.load_end = getattr(bench, "load_end", None) or load_average()

    def runs(self, tool, shape, n, phase):
        return [r for r in self.measured if r["tool"] == tool and r["shape"] == shape and r["n"] == n
                and r["phase"] == phase]

    def stat(self, tool, shape, n, phase, key="wall"):
        runs = self.runs(tool, shape, n, phase)
        if not runs:
            return None
        if any(r["timeout"] for r in runs):
            return "timeout"
        if any(r["rc"] != 0 for r in runs):
            return "failed"
        if key == "cpu_total":
            values = [r["cpu"] + (r.get("dir_cpu") or 0) + (r.get("step_cpu") or 0) for r in runs]
            return statistics.median(values)
        return median_of(runs, key)

    def combos(self):
        seen = []
        for r in self.measured:
            key = (r["tool"], r["shape"], r["n"])
            if key not in seen:
                seen.append(key)
        return sorted(seen, key=lambda k: (k[2], SHAPE_ORDER[k[1]], TOOL_ORDER[k[0]]))

    def shapes_and_sizes(self):
        seen = []
        for _, shape, n in self.combos():
            if (shape, n) not in seen:
                seen.append((shape, n))
        return seen

    def series_info(self, shape, n):
        for s in self.b.series:
            if s["shape"] == shape and s["n"] == n:
                return s
        return {}

    def tools_measured(self):
        return {r["tool"] for r in self.measured}

    # formatting helpers
    @staticmethod
    def s(value, digits=3):
        if value is None:
            return "-"
        if isinstance(value, str):
            return value
        return "%.*f" % (digits, value)

    @staticmethod
    def ms(value):
        if value is None:
            return "-"
        if isinstance(value, str):
            return value
        return "%.0f" % value

    @staticmethod
    def mb(kb):
        return "-" if kb is None else "%.0f" % (kb / 1024)

    @staticmethod
    def ratio(a, b):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or b <= 0:
            return None
        return a / b

    @staticmethod
    def r2(x):
        return "-" if x is None else "%.2f" % x

    def table(self, header, rows):
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
        line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
        out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        out += [line(r) for r in rows]
        return "\n".join(out)

    # -- tables ------------------------------------------------------------------------------

    def wall_table(self):
        header = ["tool", "shape", "N", "cold s", "no-op s", "1-change s", "ran cold/no-op/change",
                  "CPU cold s", "CPU no-op s", "CPU change s", "director ms cold/no-op/change",
                  "director CPU no-op s", "build proc peak MB"]
        rows = []
        for tool, shape, n in self.combos():
            ran = "/".join(self.ms(self.stat(tool, shape, n, p, "ran")) for p in PHASES)
            peaks = [r["maxrss_kb"] for r in self.measured if r["tool"] == tool and r["shape"] == shape
                     and r["n"] == n and r["maxrss_kb"]]
            if tool == FLOOR:
                rows.append([TOOLS[tool].label, shape, n, "-", self.s(self.stat(tool, shape, n, "noop")), "-", "-",
                             "-", self.s(self.stat(tool, shape, n, "noop", "cpu"), 2), "-", "-", "-",
                             self.mb(max(peaks) if peaks else None)])
                continue
            director = tool in DIRECTOR_CLIENTS
            rows.append([
                TOOLS[tool].label, shape, n,
                self.s(self.stat(tool, shape, n, "cold")),
                self.s(self.stat(tool, shape, n, "noop")),
                self.s(self.stat(tool, shape, n, "change")),
                ran,
                *[self.s(self.stat(tool, shape, n, p, "cpu_total"), 2) for p in PHASES],
                "/".join(self.ms(self.stat(tool, shape, n, p, "dir_ms")) for p in PHASES) if director else "-",
                self.s(self.stat(tool, shape, n, "noop", "dir_cpu"), 3) if director else "-",
                self.mb(max(peaks) if peaks else None),
            ])
        return self.table(header, rows)

    def ratio_table(self):
        peers = [p for p in PEERS if p in self.tools_measured()]
        header = ["shape", "N", "StepUp/ninja cold", "StepUp/ninja no-op", "StepUp/ninja 1-change",
                  "StepUp/make cold", "StepUp no-op / MSBuild floor", "director no-op ms (director.log)",
                  "director no-op request ms (d-*.log)", "StepUp no-op - floor s"]
        header += ["StepUp/%s cold/no-op/1-change" % TOOLS[p].label for p in peers]
        rows = []
        for shape, n in self.shapes_and_sizes():
            st = {p: self.stat("stepup", shape, n, p) for p in PHASES}
            nj = {p: self.stat("ninja", shape, n, p) for p in PHASES}
            mk = self.stat("make", shape, n, "cold")
            fl = self.stat(FLOOR, shape, n, "noop")
            diff = st["noop"] - fl if isinstance(st["noop"], float) and isinstance(fl, float) else None
            row = [shape, n, self.r2(self.ratio(st["cold"], nj["cold"])), self.r2(self.ratio(st["noop"], nj["noop"])),
                   self.r2(self.ratio(st["change"], nj["change"])), self.r2(self.ratio(st["cold"], mk)),
                   self.r2(self.ratio(st["noop"], fl)), self.ms(self.stat("stepup", shape, n, "noop", "dir_ms")),
                   self.s(self.stat("stepup", shape, n, "noop", "req_ms"), 1), self.s(diff)]
            for peer in peers:
                row.append("/".join(self.r2(self.ratio(st[p], self.stat(peer, shape, n, p))) for p in PHASES))
            rows.append(row)
        return self.table(header, rows)

    def variant_table(self):
        rows = []
        for tool, shape, n in self.combos():
            if tool not in VARIANTS:
                continue
            cells = [TOOLS[tool].label, shape, n]
            for phase in PHASES:
                value = self.stat(tool, shape, n, phase)
                cells += [self.s(value), self.r2(self.ratio(value, self.stat("stepup", shape, n, phase)))]
            cells.append(self.r2(self.ratio(self.stat(tool, shape, n, "noop"), self.stat(FLOOR, shape, n, "noop"))))
            rows.append(cells)
        if not rows:
            return None
        return self.table(["variant", "shape", "N", "cold s", "/ StepUp.Sdk", "no-op s", "/ StepUp.Sdk",
                           "1-change s", "/ StepUp.Sdk", "no-op / MSBuild floor"], rows)

    def cold_peak_kb(self, shape, n):
        """The director's peak during a cold build of one project (median over repetitions)."""
        return median_of([r for r in self.runs("stepup", shape, n, "cold") if r.get("dir_peak_is_build")],
                         "dir_hwm_kb")

    def stepup_table(self):
        header = ["shape", "N", "director peak MB (1st project)", "director peak MB (series end)",
                  "director RSS MB (series end)", "graph.db+wal on disk B/step", "graph.db checkpointed B/step",
                  "director RSS MB at start", "director peak MB (cold build)", "peak KB/step (cold build)",
                  "director RSS MB after idle"]
        rows = []
        for s in self.b.series:
            if "stepup" not in s["tools"]:
                continue
            n = s["n"]
            steps = SHAPES[s["shape"]].step_count(n)
            sizes = s.get("db") or []
            disk = [d for d, _ in sizes]
            checked = [c for _, c in sizes if c is not None]
            peak = self.cold_peak_kb(s["shape"], n)
            rows.append([s["shape"], n, self.mb(s.get("director_hwm_first_kb")), self.mb(s.get("director_hwm_kb")),
                         self.mb(s.get("director_rss_kb")), self.ms(max(disk) / steps if disk else None),
                         self.ms(max(checked) / steps if checked else None), self.mb(s.get("director_start_rss_kb")),
                         self.mb(peak), self.s(peak / steps if peak else None, 1),
                         self.mb(s.get("director_idle_rss_kb"))])
        return self.table(header, rows)

    def slurm_table(self):
        rows = []
        for tool, shape, n in self.combos():
            if tool != "stepup-slurm":
                continue
            remote, local = self.stat(tool, shape, n, "cold"), self.stat("stepup", shape, n, "cold")
            cpu = self.stat(tool, shape, n, "cold", "dir_cpu")
            num = lambda x: isinstance(x, (int, float))
            rows.append([shape, n, self.s(local), self.s(remote), self.s(n / remote if num(remote) else None, 1),
                         self.s((remote - local) / n * 1000 if num(remote) and num(local) else None, 2),
                         self.s(cpu / n * 1000 if num(cpu) else None, 2)])
        if not rows:
            return None
        return self.table(["shape", "N", "local cold s", "Slurm cold s", "Slurm steps/s", "overhead ms per job",
                           "director CPU ms per job"], rows)

    # -- targets -----------------------------------------------------------------------------

    def sizes_of(self, shape, tool="stepup"):
        return sorted({r["n"] for r in self.measured if r["shape"] == shape and r["tool"] == tool})

    def pick(self, shape, n, tool="stepup"):
        """(N to evaluate at, label): the target's N, or the largest smaller N measured (indicative)."""
        sizes = self.sizes_of(shape, tool)
        if n in sizes:
            return n, ""
        smaller = [x for x in sizes if x < n]
        if not smaller:
            return None, ""
        return smaller[-1], " [indicative: N=%d, target is for N=%s]" % (smaller[-1], "{:,}".format(n))

    @staticmethod
    def status(ok, label=""):
        if ok is None:
            return "n/a"
        return ("PASS" if ok else "FAIL") + label

    @staticmethod
    def num(x):
        return isinstance(x, (int, float))

    def ratio_target(self, name, shape, n, phase, other, limit):
        at, label = self.pick(shape, n)
        if at is None:
            return (name, "not run", "n/a")
        st, ot = self.stat("stepup", shape, at, phase), self.stat(other, shape, at, phase)
        r = self.ratio(st, ot)
        return (name, "%s s vs %s s (x%s)" % (self.s(st), self.s(ot), self.r2(r)),
                self.status(None if r is None else r <= limit, label))

    def targets(self):
        """(target, measured, status): issue 12's targets, and those of earlier rounds still kept."""
        out = [
            self.ratio_target("cold fanout N=10,000: StepUp wall <= 1.25 x ninja", "fanout", 10000, "cold", "ninja", 1.25),
            self.ratio_target("cold fanout N=100,000: StepUp wall <= 1.15 x ninja", "fanout", 100000, "cold", "ninja", 1.15),
            self.ratio_target("cold chain N=10,000: StepUp wall <= 1.1 x ninja", "chain", 10000, "cold", "ninja", 1.1),
            self.ratio_target("no-op fanout N=10,000: StepUp <= 1.1 x MSBuild floor", "fanout", 10000, "noop", FLOOR, 1.1),
            self.ratio_target("no-op fanout N=100,000: StepUp <= 1.1 x MSBuild floor", "fanout", 100000, "noop", FLOOR, 1.1),
        ]
        at, label = self.pick("fanout", 10000)
        if at is not None:
            dms = self.stat("stepup", "fanout", at, "noop", "dir_ms")
            req = self.stat("stepup", "fanout", at, "noop", "req_ms")
            out.append(("no-op fanout N=10,000: director time < 20 ms",
                        "%s ms (whole request, reading the items included: %s ms)" % (self.ms(dms), self.ms(req)),
                        self.status(dms < 20 if self.num(dms) else None, label)))
            noop, chg = self.stat("stepup", "fanout", at, "noop"), self.stat("stepup", "fanout", at, "change")
            cmd = statistics.median(self.b.step_cmd_ms[at]) if self.b.step_cmd_ms.get(at) else None
            ok = chg <= noop + 0.050 + cmd / 1000 if self.num(chg) and self.num(noop) and cmd is not None else None
            out.append(("one changed leaf (fanout N=10,000): <= no-op + 50 ms + the step's command",
                        "%s s vs %s s + 0.050 + %s ms" % (self.s(chg), self.s(noop), self.s(cmd, 1)),
                        self.status(ok, label)))
        else:
            out.append(("no-op fanout N=10,000: director time < 20 ms", "not run", "n/a"))
            out.append(("one changed leaf (fanout N=10,000): <= no-op + 50 ms + the step's command", "not run", "n/a"))
        at, label = self.pick("dynamic", 10000)
        name = "dynamic cold N=10,000 <= 2 x static fanout cold"
        if at is not None:
            dyn, fan = self.stat("stepup", "dynamic", at, "cold"), self.stat("stepup", "fanout", at, "cold")
            r = self.ratio(dyn, fan)
            out.append((name, "%s s vs %s s (x%s)" % (self.s(dyn), self.s(fan), self.r2(r)),
                        self.status(None if r is None else r <= 2, label)))
        else:
            out.append((name, "not run", "n/a"))
        out.append(self.memory_target())
        out.append(self.idle_target())
        per_step = []
        for s in self.b.series:
            checked = [c for _, c in s.get("db") or [] if c is not None]
            if checked:
                per_step.append((max(checked) / SHAPES[s["shape"]].step_count(s["n"]), s["shape"], s["n"]))
        if per_step:
            worst = max(per_step)
            out.append(("graph.db < 1 KB per step (checkpointed)",
                        "largest: %.0f B/step (%s N=%d)" % worst, "PASS" if worst[0] < 1024 else "FAIL"))
        else:
            out.append(("graph.db < 1 KB per step (checkpointed)", "not run", "n/a"))
        out.append(self.completes_target("100,000-step chain builds, and rebuilds after a change at its head",
                                         "deepchain", 100000, ("cold", "change")))
        out.append(self.completes_target("1,000,000-step plan (one planning step) completes cold and no-op",
                                         "plan1m", 1000000, ("cold", "noop")))
        out += self.doit_targets()
        at, label = self.pick("fanout", 10000, "stepup-cli")
        if at is None:
            out.append(("`stepup build` no-op fanout N=10,000 < 100 ms", "not run", "n/a"))
        else:
            noop = self.stat("stepup-cli", "fanout", at, "noop")
            out.append(("`stepup build` no-op fanout N=10,000 < 100 ms", "%s s" % self.s(noop),
                        self.status(noop < 0.1 if self.num(noop) else None, label)))
        return out

    def memory_target(self):
        name = "director peak during a cold build <= 2 KB per step (fanout N=100,000: 200 MB)"
        at, label = self.pick("fanout", 100000)
        peak = self.cold_peak_kb("fanout", at) if at else None
        if peak is None:
            return (name, "not run", "n/a")
        per_step = peak / SHAPES["fanout"].step_count(at)
        return (name, "%s MB, %.1f KB/step" % (self.mb(peak), per_step), self.status(per_step <= 2, label))

    def idle_target(self):
        name = "after the project goes idle, director RSS within 50 MB of its start"
        measured = [s for s in self.b.series if s.get("director_idle_rss_kb") and s.get("director_start_rss_kb")]
        if not measured:
            return (name, "not measured (--idle-rss)", "n/a")
        s = max(measured, key=lambda x: x["n"])
        grown = s["director_idle_rss_kb"] - s["director_start_rss_kb"]
        return (name, "%s N=%d: %s MB at start, %s MB after idle" % (
            s["shape"], s["n"], self.mb(s["director_start_rss_kb"]), self.mb(s["director_idle_rss_kb"])),
            self.status(grown <= 50 * 1024))

    def completes_target(self, name, shape, n, phases):
        at, label = self.pick(shape, n)
        if at is None:
            return (name, "not run (--shapes %s)" % shape, "n/a")
        walls = [self.stat("stepup", shape, at, p) for p in phases]
        peak = self.cold_peak_kb(shape, at)
        ok = all(self.num(w) for w in walls)
        return (name, "%s; director peak %s MB" % (", ".join("%s %s s" % (p, self.s(w)) for p, w in zip(phases, walls)),
                                                   self.mb(peak)), self.status(ok, label))

    def doit_targets(self):
        rows = []
        for shape in ("cksum-chain", "cksum-fanout"):
            for n in (1000, 5000):
                if n not in self.sizes_of(shape) or n not in self.sizes_of(shape, "doit"):
                    continue
                cells, oks = [], []
                for phase in ("cold", "noop"):
                    st, dt = self.stat("stepup", shape, n, phase), self.stat("doit", shape, n, phase)
                    cells.append("%s %s s vs %s s" % (phase, self.s(st), self.s(dt)))
                    oks.append(st < dt if self.num(st) and self.num(dt) else None)
                ok = None if None in oks else all(oks)
                rows.append(("%s N=%s: StepUp ahead of doit, cold and no-op" % (shape, "{:,}".format(n)),
                             "; ".join(cells), self.status(ok)))
        if not rows:
            rows.append(("cksum-chain and cksum-fanout N=1,000 and 5,000: StepUp ahead of doit, cold and no-op",
                         "not run (--shapes cksum-chain,cksum-fanout)", "n/a"))
        return rows

    # -- the page ----------------------------------------------------------------------------

    def render(self, machine):
        b = self.b
        lines = ["# StepUp.Sdk benchmark results", ""]
        lines += ["Command: `%s` (from the repository root)" % self.command, ""]
        lines += ["Run took %.1f min (pack %.0f s), %d measured repetition(s) after %d warm-up repetition(s)."
                  % (self.elapsed / 60, b.sdk.pack_seconds or 0, b.args.reps, b.args.warmup), ""]
        lines += ["## Machine", ""]
        for key in ("nproc", "cpu", "memory", "os", "dotnet", "make", "ninja") + tuple(PEERS) + ("python", "date"):
            if key in machine:
                lines.append("- %s: %s" % (key, machine[key]))
        lines.append("- load average (1, 5, 15 min) at start: %s; at end: %s (other work on the machine "
                     "makes the numbers noisy)" % (b.load_start, self.load_end))
        if b.sdk.pack_seconds is not None:
            lines.append("- StepUp.Sdk: packed from this repository as %s" % b.version)
        elif b.args.feed and any(s["tools"] for s in b.series if set(s["tools"]) & set(DIRECTOR_CLIENTS)):
            lines.append("- StepUp.Sdk: %s from %s" % (b.version, b.args.feed))
        lines.append("")
        lines += ["## Wall time, CPU, steps run (medians)", "",
                  "Wall times in seconds. `ran` is the number of steps the tool ran. CPU is user+sys of the "
                  "build's process tree plus, for StepUp.Sdk, the director's own CPU and that of the steps it "
                  "ran. `director ms` is the `in N ms` of `.stepup/director.log`. The MSBuild floor is a "
                  "`dotnet build` of the same .stepproj whose StepUpBuild target does nothing.", "",
                  self.wall_table(), ""]
        lines += ["## Ratios (medians)", "", self.ratio_table(), ""]
        variants = self.variant_table()
        if variants:
            lines += ["## StepUp.Sdk variants (medians)", "",
                      "The same projects through the MSBuild server (`DOTNET_CLI_USE_MSBUILD_SERVER=1`, node reuse on), "
                      "through `stepup build` on a `plan.py` that defines the same steps (no MSBuild; its cold build also runs the planning step), or on Slurm.", "",
                      variants, ""]
        if any("stepup" in s["tools"] for s in b.series):
            lines += ["## StepUp.Sdk director memory and graph size", "", self.stepup_table(), ""]
            if b.sdk.primes:
                lines += ["First-ever build (starts the director; a one-step project): %.3f s. "
                          "Each StepUp series starts a fresh director this way: median %.3f s over %d starts."
                          % (b.sdk.primes[0], statistics.median(b.sdk.primes), len(b.sdk.primes)), ""]
        slurm = self.slurm_table()
        if slurm:
            lines += ["## Slurm", "", slurm, ""]
        phase_rows = []
        for tool, shape, n in self.combos():
            if tool != "stepup":
                continue
            cells = []
            for phase in PHASES:
                runs = [r for r in self.runs(tool, shape, n, phase) if r.get("dir_phases")]
                cells.append(runs[-1]["dir_phases"] if runs else "-")
            if any(c != "-" for c in cells):
                reports = [self.stat(tool, shape, n, phase, "report_ms") for phase in ("cold", "noop")]
                phase_rows.append([shape, n] + cells + ["/".join(self.s(r, 0) for r in reports)])
        if phase_rows:
            lines += ["## Director phase times (ms, last measured repetition, from director.log)", "",
                      "The last column is the build report's `written in N ms` (median), which the director "
                      "writes after the build has answered; the next phase starts once it is written.", "",
                      self.table(["shape", "N", "cold", "no-op", "1-change", "report ms cold/no-op"], phase_rows), ""]
        lines += ["## Targets", "", self.table(["target", "measured", "status"], self.targets()), ""]
        if b.step_cmd_ms:
            lines += ["The changed step's own command (`/bin/sh -c 'echo i > out/i.txt'` run by hand): %s ms." %
                      ", ".join("N=%d: %.1f" % (n, statistics.median(v)) for n, v in sorted(b.step_cmd_ms.items())), ""]
        if b.skipped:
            lines += ["## Skipped", ""]
            seen = set()
            for s in b.skipped:
                key = (s["tool"], s["shape"], s["n"])
                if key not in seen:
                    seen.add(key)
                    lines.append("- %s %s N=%s: %s" % (TOOLS[s["tool"]].label, s["shape"], s["n"], s["reason"]))
            lines.append("")
        if b.warnings or b.problems:
            lines += ["## Warnings and problems", ""]
            lines += ["- warning: " + w for w in b.warnings]
            lines += ["- problem: " + p.replace("\n", "\n  ") for p in b.problems]
            lines.append("")
        lines += ["## Raw wall times (seconds, warm-up excluded)", ""]
        for tool, shape, n in self.combos():
            parts = []
            for phase in PHASES:
                runs = self.runs(tool, shape, n, phase)
                if runs:
                    parts.append("%s %s" % (phase, " ".join("timeout" if r["timeout"] else
                                                            ("failed" if r["rc"] else "%.3f" % r["wall"]) for r in runs)))
            lines.append("- %s %s N=%d: %s" % (TOOLS[tool].label, shape, n, "; ".join(parts)))
        lines.append("")
        return "\n".join(lines)
