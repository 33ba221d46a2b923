"""The benchmark's run: for each shape and N a series, in which each repetition builds every tool
in turn (cold, no-op, change), with one warm director for the StepUp.Sdk builds of the series."""

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from . import probes
from .common import log, rmtree
from .install import install_packages
from .measure import db_size, load_average, proc_status_kb, run_measured, time_shell_command
from .sdk import Sdk
from .tools import DIRECTOR_CLIENTS, FLOOR, TOOLS
from .workflows import SHAPES

# Sizes the standard shapes are not run at (the chain's files grow as N²).
MAX_N = {"chain": 10000, "fanin": 10000, "dynamic": 10000}

IDLE_WAIT_S = 300  # the director releases a project's graph after 2 minutes without a build


def duration(seconds):
    return "%.0f minutes" % (seconds / 60) if seconds >= 120 else "%.0f s" % seconds


def write_template(folder, tool, shape, n, bench):
    """A pristine workflow folder for one tool: no outputs, no state."""
    folder.mkdir(parents=True)
    TOOLS[tool].write(folder, shape, n, bench)
    for path, text in shape.static_files(n).items():
        (folder / path).write_text(text)


class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="stepup-bench-"))
        self.sdk = Sdk(self.tmp, self, feed=args.feed)
        self.runs = []          # every measured command, as dicts
        self.series = []        # per (shape, n): director peaks, graph.db sizes, ...
        self.skipped = []       # {tool, shape, n, reason}: what was not measured, and why
        self.problems = []      # what looked broken
        self.warnings = []
        self.tools = []         # the tools that can run
        self.step_cmd_ms = {}
        self.started = time.time()
        self.load_start = load_average()
        self.director_pid = None
        self.shared_director = args.smoke  # smoke: one director for the whole run
        self._over_limit = {}   # (tool, shape) -> the N from which the tool is skipped

    @property
    def version(self):
        return self.sdk.version

    # -- notes -------------------------------------------------------------------------------

    def warn(self, message):
        self.warnings.append(message)
        log("WARNING: " + message)

    def problem(self, message):
        self.problems.append(message)
        log("PROBLEM: " + message)

    def skip(self, tool, shape, n, reason):
        self.skipped.append({"tool": tool, "shape": shape, "n": n, "reason": reason})
        log("  skipped: %s %s N=%s: %s" % (TOOLS[tool].label if tool in TOOLS else tool, shape, n, reason))

    # -- what to run -------------------------------------------------------------------------

    def plan(self):
        """[(shape, n)] in run order: by N, then in the order of the shapes."""
        pairs = []
        for name in self.args.shapes:
            shape = SHAPES[name]
            if self.args.sizes:
                sizes = self.args.sizes
            elif self.args.smoke:
                sizes = [shape.smoke_size]
            else:
                sizes = list(shape.default_sizes)
            if self.args.max_n is not None and not self.args.smoke:
                sizes = [n for n in sizes if n <= self.args.max_n]
            for n in sizes:
                if n <= MAX_N.get(name, n):
                    pairs.append((shape, n))
        order = {name: i for i, name in enumerate(SHAPES)}
        return sorted(pairs, key=lambda p: (p[1], order[p[0].name]))

    def wanted_tools(self, shape):
        if self.args.tools:
            return [t for t in self.args.tools if t in shape.tools]
        return [t for t in (shape.smoke_tools if self.args.smoke else shape.default_tools) if t != FLOOR]

    def with_floor(self, shape):
        """Whether the series measures the MSBuild floor (with every StepUp.Sdk series; smoke: where asked)."""
        return not self.args.smoke or self.args.tools is not None or FLOOR in shape.smoke_tools

    def ensure_tools(self, plan):
        wanted = []
        for shape, _ in plan:
            wanted += [t for t in self.wanted_tools(shape) if t not in wanted]
        install = self.args.install if self.args.install is not None else not self.args.smoke
        packages = sorted({TOOLS[t].package for t in wanted if TOOLS[t].package and TOOLS[t].missing()
                           and (install or TOOLS[t].smoke_install)})
        install_packages(packages, self)
        for name in wanted:
            reason = TOOLS[name].missing()
            if reason and TOOLS[name].executable == "dotnet":
                self.problem("dotnet is not on PATH: %s cannot be measured" % TOOLS[name].label)
            elif reason:
                self.warn("%s: %s skipped" % (reason, TOOLS[name].label))
            else:
                self.tools.append(name)

    def series_tools(self, shape, n):
        tools = []
        for tool in self.wanted_tools(shape):
            if tool not in self.tools:
                continue
            reason = self._limit_reason(tool, shape, n)
            if reason:
                self.skip(tool, shape.name, n, reason)
                continue
            tools.append(tool)
        return tools

    def _limit_reason(self, tool, shape, n):
        limit = TOOLS[tool].cold_limit
        if not limit:
            return None
        since = self._over_limit.get((tool, shape.name))
        if since is not None and n >= since:
            return "one cold build took over %s at N=%d" % (duration(limit), since)
        colds = {}
        for r in self.runs:
            if r["tool"] == tool and r["shape"] == shape.name and r["phase"] == "cold" and r["n"] < n \
                    and r["rc"] == 0 and not r["timeout"]:
                colds.setdefault(r["n"], []).append(r["wall"])
        if colds:
            smaller = max(colds)
            predicted = statistics.median(colds[smaller]) * n / smaller
            if predicted > limit:
                return ("a cold build would take over %s (N=%d took %.0f s; at least %.0f s at N=%d)"
                        % (duration(limit), smaller, statistics.median(colds[smaller]), predicted, n))
        return None

    # -- the run -----------------------------------------------------------------------------

    def run(self):
        plan = self.plan()
        self.ensure_tools(plan)
        if not self.tools:
            self.problem("no tool to measure")
            return
        (self.tmp / "w").mkdir(exist_ok=True)
        if any(t in DIRECTOR_CLIENTS for t in self.tools):
            if not self.sdk.pack():
                return
            if not self.sdk.ensure_prime(self._write_prime):
                return
        for shape, n in plan:
            log("series %s N=%d" % (shape.name, n))
            self.run_series(shape, n)

    def _write_prime(self, folder):
        write_template(folder, "stepup", SHAPES["fanout"], 1, self)

    @staticmethod
    def timeout_for(shape, n):
        return 120 + n * shape.seconds_per_step  # 30 minutes and more for a fanout of N=100,000

    def _start_director(self):
        if self.shared_director and self.director_pid in self.sdk.directors():
            return self.director_pid
        self.sdk.shutdown_director()
        self.director_pid = self.sdk.start_director(self._write_prime)
        return self.director_pid

    def run_series(self, shape, n):
        reason = probes.shape_skip_reason(shape, self.sdk)
        tools = self.series_tools(shape, n)
        if reason:
            for tool in tools:
                self.skip(tool, shape.name, n, reason)
            return
        series_dir = self.tmp / "w" / ("%s-%d" % (shape.name, n))
        series_dir.mkdir()
        templates = self._templates(shape, n, tools, series_dir)
        tools = [t for t in tools if t in templates]
        info = {"shape": shape.name, "n": n}
        director = self._director_for(shape, n, tools, templates, info) if set(tools) & set(DIRECTOR_CLIENTS) else None
        if director is None:
            tools = [t for t in tools if t not in DIRECTOR_CLIENTS]
        if tools:
            info["tools"] = tools
            self.series.append(info)
            built = self._repetitions(shape, n, tools, templates, series_dir, info)
            if director is not None:
                self._finish_director(shape, info, tools, built)
        rmtree(series_dir)

    def _templates(self, shape, n, tools, series_dir):
        """{tool: its pristine workflow folder}, for the tools whose folder could be prepared."""
        templates = {}
        for tool in sorted(tools, key=lambda t: t != "stepup"):  # stepup's first: its variants copy it
            folder = series_dir / ("t-" + tool)
            if tool in DIRECTOR_CLIENTS and "stepup" in templates and not TOOLS[tool].own_template:
                shutil.copytree(templates["stepup"], folder)  # the same project, restored
            else:
                write_template(folder, tool, shape, n, self)
                if not TOOLS[tool].prepare(folder, shape, n, self):
                    continue
            templates[tool] = folder
        return templates

    def _director_for(self, shape, n, tools, templates, info):
        """The series' warm director (None if it could not start); drops the StepUp variants
        that cannot run and adds the MSBuild floor (its template too) to the tools."""
        director = self._start_director()
        if director is None:
            return None
        info["director_start_rss_kb"] = self.sdk.start_rss_kb[-1] if self.sdk.start_rss_kb else None
        for tool in [t for t in tools if t in DIRECTOR_CLIENTS]:
            reason = TOOLS[tool].unavailable(self)
            if reason:
                self.skip(tool, shape.name, n, reason)
                tools.remove(tool)
        if "stepup" in tools and self.with_floor(shape):
            tools.append(FLOOR)
            templates[FLOOR] = templates["stepup"].parent / "floor"
            shutil.copytree(templates["stepup"], templates[FLOOR])
        return director

    def _repetitions(self, shape, n, tools, templates, series_dir, info):
        """Every repetition of the series; returns the project roots built through the director."""
        reps = self.args.warmup + self.args.reps
        timeout = self.timeout_for(shape, shape.step_count(n))
        built = []
        for rep in range(reps):
            warm = rep < self.args.warmup
            live = [t for t in tools if t not in self._dropped(shape, n)]
            if not live:
                break
            order = live[rep % len(live):] + live[:rep % len(live)]
            rep_dir = series_dir / ("r%d" % rep)
            rep_dir.mkdir()
            summary = []
            for tool in order:
                if tool == FLOOR:
                    summary.append("floor %s" % self._run_floor(shape, n, rep, warm, templates[FLOOR], rep_dir, timeout))
                    continue
                root = rep_dir / tool
                shutil.copytree(templates[tool], root)
                walls = self.run_tool(tool, shape, n, rep, warm, root, timeout)
                summary.append("%s %s" % (tool, "/".join(walls)))
                if tool in DIRECTOR_CLIENTS:
                    built.append(root)
                if tool == "stepup":
                    self._after_stepup(shape, n, rep, root, info)
                rmtree(root)
            log("  %s N=%d rep %d/%d%s: %s" % (shape.name, n, rep + 1, reps, " (warm-up)" if warm else "",
                                              "; ".join(summary)))
            if self.director_pid is not None and self.director_pid not in self.sdk.directors():
                self.problem("the director (pid %d) is gone after %s N=%d rep %d" % (self.director_pid, shape.name, n, rep))
                self.director_pid = None
        return built

    def _run_floor(self, shape, n, rep, warm, root, rep_dir, timeout):
        result = run_measured(TOOLS[FLOOR].argv(root, shape, "noop", self), root, self.sdk.env,
                              rep_dir / "floor.log", timeout)
        self.record(shape.name, n, FLOOR, rep, warm, "noop", result)
        if not result.ok():
            self.problem("MSBuild floor %s N=%d rep %d: exit %s%s\n%s" % (
                shape.name, n, rep, result.rc, " (timeout)" if result.timeout else "", result.tail()))
        return result.short()

    def _after_stepup(self, shape, n, rep, root, info):
        """What the series keeps of a StepUp.Sdk repetition: the first project's peak, graph.db."""
        if rep == 0:
            peaks = [r["dir_hwm_kb"] for r in self.runs if r["tool"] == "stepup" and r["rep"] == 0
                     and r["shape"] == shape.name and r["n"] == n and r.get("dir_hwm_kb")]
            info["director_hwm_first_kb"] = max(peaks) if peaks else None
        info.setdefault("db", []).append(db_size(root / ".stepup"))
        if shape.name == "fanout":
            i = shape.changed_index(n)
            self.step_cmd_ms.setdefault(n, []).append(time_shell_command("echo %d > out/%d.txt" % (i, i), root))

    def _finish_director(self, shape, info, tools, built):
        director = self.director_pid
        if director is None:
            return
        peaks = [r["dir_hwm_kb"] for r in self.runs if r["shape"] == shape.name and r["n"] == info["n"]
                 and r.get("dir_hwm_kb")] + [proc_status_kb(director, "VmHWM") or 0]
        info["director_hwm_kb"] = max(peaks)
        info["director_rss_kb"] = proc_status_kb(director, "VmRSS")
        if shape.name in self.args.idle_rss and not self.shared_director:
            self._measure_idle(info, director, built)
        if "stepup-server" in tools:
            self.sdk.stop_msbuild_servers()
        if not self.shared_director:
            self.sdk.shutdown_director()
            self.director_pid = None

    def _dropped(self, shape, n):
        return [t for (t, s), since in self._over_limit.items() if s == shape.name and n >= since]

    def _measure_idle(self, info, director, roots):
        """The director's RSS once it has released every project of the series."""
        log("  waiting for the director to release the series' projects (idle RSS) ...")
        start = time.time()
        released = self.sdk.wait_released(roots + [self.sdk.prime_root], IDLE_WAIT_S)
        if not released:
            self.warn("the director did not release the projects of %s N=%d within %d s: idle RSS not measured"
                      % (info["shape"], info["n"], IDLE_WAIT_S))
            return
        time.sleep(5)  # let a collection that the release triggers finish
        info["director_idle_rss_kb"] = proc_status_kb(director, "VmRSS")
        info["idle_wait_s"] = time.time() - start

    def run_tool(self, tool, shape, n, rep, warm, root, timeout):
        impl = TOOLS[tool]
        walls = []
        for phase in shape.phases:
            if phase == "change":
                shape.change(root, n)
            state = impl.before(root, shape, n, self)
            limit = impl.cold_limit if phase == "cold" and impl.cold_limit else timeout
            result = run_measured(impl.argv(root, shape, phase, self), root, impl.env(self),
                                  root.parent / ("%s-%s.log" % (tool, phase)), limit)
            extra = impl.after(root, shape, n, self, result, state)
            self.record(shape.name, n, tool, rep, warm, phase, result, **extra)
            walls.append(result.short())
            if not result.ok():
                if result.timeout and limit == impl.cold_limit:
                    self._over_limit[(tool, shape.name)] = n
                    self.skip(tool, shape.name, n, "one cold build took over %s" % duration(limit))
                else:
                    self.problem("%s %s %s N=%d rep %d: exit %s%s\n%s"
                                 % (impl.label, phase, shape.name, n, rep, result.rc,
                                    " (timeout after %.0f s)" % limit if result.timeout else "", result.tail()))
                break
            missing = [p for p in shape.expected(n, phase) if not (root / p).exists()]
            if missing:
                self.problem("%s %s %s N=%d: outputs missing after a successful build: %s"
                             % (impl.label, phase, shape.name, n, missing))
            for message in shape.check(root, n, phase):
                self.problem("%s %s %s N=%d: %s" % (impl.label, phase, shape.name, n, message))
            want = {"cold": shape.step_count(n) + impl.extra_steps(shape), "noop": 0}.get(phase)
            ran = extra.get("ran")
            if want is not None and ran is not None and ran != want:
                self.problem("%s %s %s N=%d: %d step(s) ran, expected %d" % (impl.label, phase, shape.name, n, ran, want))
        return walls

    def record(self, shape, n, tool, rep, warm, phase, result, **extra):
        entry = {"shape": shape, "n": n, "tool": tool, "rep": rep, "warmup": warm, "phase": phase,
                 "wall": result.wall, "rc": result.rc, "timeout": result.timeout, "cpu": result.cpu,
                 "maxrss_kb": result.maxrss_kb}
        entry.update(extra)
        self.runs.append(entry)

    def cleanup(self):
        try:
            self.sdk.shutdown_director()
            self.sdk.stop_msbuild_servers()
        finally:
            if not self.args.keep_temp:
                rmtree(self.tmp)
                rmtree(self.sdk.director_dir)
            else:
                log("kept %s and %s" % (self.tmp, self.sdk.director_dir))
