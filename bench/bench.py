#!/usr/bin/env python3
"""Benchmark of StepUp.Sdk against make and ninja (and against MSBuild alone).

    python3 bench/bench.py            # full run, writes bench/RESULTS.md and bench/RESULTS.json
    python3 bench/bench.py --smoke    # N=100, one repetition, results in a temporary file

See bench/README.md for what is measured and how. Standard library only; Linux only (/proc).
"""

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
FLOOR_TARGETS = BENCH / "floor.targets"
SDK_PROJECT = REPO / "sdk" / "StepUp.Sdk" / "StepUp.Sdk.csproj"

ALL_SHAPES = ("fanout", "chain", "fanin", "dynamic")
ALL_TOOLS = ("stepup", "make", "ninja")
ALL_SIZES = (100, 1000, 10000, 100000)
FLOOR = "floor"  # the MSBuild floor, measured with every StepUp series
JOBS = 2
PHASES = ("cold", "noop", "change")
TOOL_LABEL = {"stepup": "StepUp.Sdk", "make": "make", "ninja": "ninja", FLOOR: "MSBuild floor"}

# Environment variables that change how a build behaves and are removed for StepUp builds.
REMOVED_ENV = ("CI", "TF_BUILD", "GITHUB_ACTIONS", "DOTNET_CLI_USE_MSBUILD_SERVER")


def log(message=""):
    print(message, flush=True)


# ----------------------------------------------------------------------------------------------
# Workflows
# ----------------------------------------------------------------------------------------------

def changed_index(n):
    """The step whose output the one-change rebuild deletes."""
    return n // 2


def step_list(shape, n):
    """(name, command, inputs, outputs) of the static workflow; the same commands for every tool."""
    steps = []
    if shape in ("fanout", "fanin"):
        for i in range(n):
            steps.append(("s%d" % i, "echo %d > out/%d.txt" % (i, i), [], ["out/%d.txt" % i]))
        if shape == "fanin":
            steps.append(("all", "cat out/*.txt > all.txt", ["out/%d.txt" % i for i in range(n)], ["all.txt"]))
    elif shape == "chain":
        for i in range(n):
            src = "in.txt" if i == 0 else "out/%d.txt" % (i - 1)
            dst = "out/%d.txt" % i
            steps.append(("s%d" % i, "cp %s %s && echo line %d >> %s" % (src, dst, i, dst), [src], [dst]))
    else:
        raise ValueError(shape)
    return steps


def static_files(shape):
    return {"in.txt": "start\n"} if shape == "chain" else {}


def final_outputs(shape, n):
    """What a complete build must have made (checked after the cold build)."""
    if shape == "fanin":
        return ["all.txt", "out/0.txt", "out/%d.txt" % (n - 1)]
    return ["out/0.txt", "out/%d.txt" % changed_index(n), "out/%d.txt" % (n - 1)]


PLAN_PY = """#!/usr/bin/env python3
\"\"\"Benchmark planning step: defines {n} independent steps through the StepUp API.\"\"\"
from stepup.core.api import step

for i in range({n}):
    step("echo %d > out/%d.txt" % (i, i), out="out/%d.txt" % i, name="s%d" % i)
"""


def stepproj_text(shape, n, sdk):
    lines = ['<Project Sdk="StepUp.Sdk/%s">' % sdk, "  <ItemGroup>"]
    if shape == "dynamic":
        lines.append('    <Step Include="plan" Command="./plan.py" Inp="plan.py" Planning="true" />')
    else:
        for path in static_files(shape):
            lines.append("    <Static Include=%s />" % quoteattr(path))
        for name, command, inp, out in step_list(shape, n):
            attrs = "Include=%s Command=%s" % (quoteattr(name), quoteattr(command))
            if inp:
                attrs += " Inp=%s" % quoteattr(";".join(inp))
            attrs += " Out=%s" % quoteattr(";".join(out))
            lines.append("    <Step %s />" % attrs)
    lines += ["  </ItemGroup>", "</Project>", ""]
    return "\n".join(lines)


def makefile_text(shape, n):
    steps = step_list(shape, n)
    if shape == "fanout":
        goals = [s[3][0] for s in steps]
    else:
        goals = [steps[-1][3][0]]
    lines = ["# Benchmark workflow: %s, N=%d" % (shape, n),
             "_ := $(shell mkdir -p out)",
             ".PHONY: all",
             "all: " + " ".join(goals), ""]
    for _, command, inp, out in steps:
        lines.append("%s: %s" % (out[0], " ".join(inp)))
        lines.append("\t" + command)
    lines.append("")
    return "\n".join(lines)


def ninja_text(shape, n):
    lines = ["# Benchmark workflow: %s, N=%d" % (shape, n),
             "rule sh", "  command = $cmd", "  description = $out", ""]
    for _, command, inp, out in step_list(shape, n):
        lines.append("build %s: sh %s" % (out[0], " ".join(inp)))
        lines.append("  cmd = " + command.replace("$", "$$"))
    lines.append("")
    return "\n".join(lines)


def write_template(folder, tool, shape, n, sdk):
    """A pristine workflow folder: no outputs, no state."""
    folder.mkdir(parents=True)
    if tool == "stepup":
        (folder / "bench.stepproj").write_text(stepproj_text(shape, n, sdk))
        if shape == "dynamic":
            plan = folder / "plan.py"
            plan.write_text(PLAN_PY.format(n=n))
            plan.chmod(0o755)
    elif tool == "make":
        (folder / "Makefile").write_text(makefile_text(shape, n))
    elif tool == "ninja":
        (folder / "build.ninja").write_text(ninja_text(shape, n))
    for path, text in static_files(shape).items():
        (folder / path).write_text(text)


# ----------------------------------------------------------------------------------------------
# Processes
# ----------------------------------------------------------------------------------------------

class Result:
    """One measured command."""

    def __init__(self):
        self.wall = None
        self.rc = None
        self.timeout = False
        self.cpu = None      # user+sys of the command's process tree (as far as it waited for it)
        self.maxrss_kb = None
        self.log = None

    def ok(self):
        return not self.timeout and self.rc == 0

    def tail(self, lines=30):
        try:
            text = Path(self.log).read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def run_measured(argv, cwd, env, log_path, timeout):
    """Runs argv with stdout and stderr in log_path; wall time, rusage of the process (os.wait4)."""
    result = Result()
    result.log = str(log_path)
    fired = threading.Event()

    with open(log_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)

        def kill():
            fired.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.daemon = True
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C or SIGTERM of the benchmark: take the command down with it
            timer.cancel()
            kill()
            os.waitpid(proc.pid, 0)
            proc.returncode = -1
            raise
        result.wall = time.perf_counter() - start
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    result.rc = proc.returncode
    result.timeout = fired.is_set()
    result.cpu = usage.ru_utime + usage.ru_stime
    result.maxrss_kb = usage.ru_maxrss
    if result.timeout:
        # What the killed process group left behind (e.g. a make child) is in that group too.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return result


def run_quiet(argv, cwd=None, env=None, timeout=600):
    try:
        done = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)
        return done.returncode, done.stdout.decode(errors="replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, str(e)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def find_directors(director_dir):
    """Pids of StepUp.Director processes whose command line has --dir <director_dir>."""
    found = []
    want = os.path.realpath(director_dir)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as fh:
                args = fh.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if not any("StepUp.Director" in a for a in args):
            continue
        for i, arg in enumerate(args[:-1]):
            if arg == "--dir" and os.path.realpath(args[i + 1]) == want:
                found.append(int(entry))
                break
    return found


def proc_cpu(pid):
    """(own user+sys, waited-for children's user+sys) of a process in seconds, or None."""
    if pid is None:
        return None
    try:
        with open("/proc/%d/stat" % pid) as fh:
            text = fh.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime) / CLOCK_TICKS, (cutime + cstime) / CLOCK_TICKS


def proc_status_kb(pid, key):
    if pid is None:
        return None
    try:
        with open("/proc/%d/status" % pid) as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


BUILD_LINE = re.compile(r"build: StepUp: (\d+) ran, (\d+) skipped, (\d+) failed, (\d+) removed in (\d+) ms"
                        r"(?: \((.*)\))?")


def last_build_line(root):
    """(ran, director ms, phase times or None) from the last `build:` line of <root>/.stepup/director.log."""
    try:
        text = (Path(root) / ".stepup" / "director.log").read_text(errors="replace")
    except OSError:
        return None, None, None
    found = None
    for line in text.splitlines():
        match = BUILD_LINE.search(line)
        if match:
            found = match
    if not found:
        return None, None, None
    return int(found.group(1)), int(found.group(5)), found.group(6)


def last_request_ms(director_dir, root):
    """The director's own log: `build <root>: ok in X ms` (from request to answer)."""
    best = None
    pattern = re.compile(r"build %s: \w+ in ([0-9.]+) ms" % re.escape(str(root)))
    for path in Path(director_dir).glob("d-*.log"):
        try:
            for line in path.read_text(errors="replace").splitlines():
                match = pattern.search(line)
                if match:
                    best = float(match.group(1))
        except OSError:
            pass
    return best


def count_ran(tool, log_path):
    """How many steps make or ninja ran, from their output."""
    try:
        lines = Path(log_path).read_text(errors="replace").splitlines()
    except OSError:
        return None
    if tool == "ninja":
        return sum(1 for line in lines if re.match(r"^\[\d+/\d+\] ", line))
    return sum(1 for line in lines if line.strip() and not line.startswith(("make:", "make[")))


def db_size(root):
    """(graph.db + graph.db-wal as they are on disk, graph.db after a checkpoint of a copy) in bytes.

    The director keeps the database open in WAL mode, so most of the graph may still be in the
    -wal file; the checkpointed copy (made with Python's sqlite3) is the database's real size.
    """
    state = Path(root) / ".stepup"
    on_disk = 0
    for name in ("graph.db", "graph.db-wal"):
        try:
            on_disk += (state / name).stat().st_size
        except OSError:
            pass
    checkpointed = None
    try:
        import sqlite3
        with tempfile.TemporaryDirectory(prefix="stepup-bench-db-") as scratch:
            for name in ("graph.db", "graph.db-wal"):
                if (state / name).exists():
                    shutil.copyfile(state / name, Path(scratch) / name)
            if (Path(scratch) / "graph.db").exists():
                connection = sqlite3.connect(str(Path(scratch) / "graph.db"))
                try:
                    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
                finally:
                    connection.close()
                checkpointed = (Path(scratch) / "graph.db").stat().st_size
    except Exception:  # no sqlite3 module, or a database it cannot read: report the on-disk size only
        checkpointed = None
    return on_disk, checkpointed


def rmtree(path):
    shutil.rmtree(path, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# The benchmark
# ----------------------------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="stepup-bench-"))
        self.director_dir = "/tmp/sb-" + secrets.token_hex(4)
        self.version = "0.0.1-bench" + time.strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)
        self.feed = self.tmp / "feed"
        self.nuget = self.tmp / "nuget"
        self.runs = []          # every measured command, as dicts
        self.series = []        # per (shape, n): director peaks, graph.db sizes, ...
        self.primes = []        # director start + a one-step build
        self.problems = []      # what looked broken
        self.warnings = []
        self.tools = []
        self.step_cmd_ms = {}
        self.pack_seconds = None
        self.started = time.time()
        self.load_start = load_average()
        self.stepup_env = self._stepup_env()
        self.prime_root = None

    # -- setup -------------------------------------------------------------------------------

    def _stepup_env(self):
        env = dict(os.environ)
        for key in list(env):
            if key in REMOVED_ENV or key.startswith(("MSBUILD", "_MSBUILD", "STEPUP_")):
                del env[key]
        env.update({
            "DOTNET_CLI_TELEMETRY_OPTOUT": "1",
            "DOTNET_NOLOGO": "1",
            "DOTNET_SKIP_FIRST_TIME_EXPERIENCE": "1",
            "DOTNET_CLI_UI_LANGUAGE": "en",
            "DOTNET_CLI_USE_MSBUILD_SERVER": "0",
            "NUGET_PACKAGES": str(self.nuget),
            "STEPUP_DIRECTOR_DIR": self.director_dir,
        })
        return env

    def ensure_tools(self, wanted):
        tools = []
        missing = [t for t in ("make", "ninja") if t in wanted and shutil.which(t) is None]
        if missing:
            packages = ["make" if t == "make" else "ninja-build" for t in missing]
            prefix = []
            if os.geteuid() != 0:
                prefix = ["sudo", "-n"] if shutil.which("sudo") else None
            if prefix is None:
                self.warn("%s missing and no sudo to install it" % ", ".join(missing))
            else:
                log("installing %s with apt-get ..." % " ".join(packages))
                rc, out = run_quiet(prefix + ["apt-get", "update"], timeout=600)
                if rc == 0:
                    rc, out = run_quiet(prefix + ["apt-get", "install", "-y"] + packages, timeout=900)
                if rc != 0:
                    self.warn("apt-get failed (%s): %s" % (rc, out.strip().splitlines()[-1:] or ""))
        for tool in wanted:
            if tool in ("make", "ninja") and shutil.which(tool) is None:
                self.warn("%s is not available: skipped" % tool)
                continue
            tools.append(tool)
        if "stepup" in tools and shutil.which("dotnet") is None:
            self.problem("dotnet is not on PATH: StepUp.Sdk cannot be measured")
            tools.remove("stepup")
        self.tools = tools

    def warn(self, message):
        self.warnings.append(message)
        log("WARNING: " + message)

    def problem(self, message):
        self.problems.append(message)
        log("PROBLEM: " + message)

    def pack(self):
        log("packing StepUp.Sdk %s into %s ..." % (self.version, self.feed))
        env = dict(self.stepup_env)
        del env["NUGET_PACKAGES"]  # the product's own dependencies come from the usual NuGet setup
        del env["STEPUP_DIRECTOR_DIR"]
        start = time.perf_counter()
        result = run_measured(["dotnet", "pack", str(SDK_PROJECT), "-c", "Release", "-p:Version=" + self.version,
                               "-o", str(self.feed), "-nr:false", "-tl:off", "-v:m",
                               "-p:UseSharedCompilation=false"],
                              REPO, env, self.tmp / "pack.log", 1800)
        self.pack_seconds = time.perf_counter() - start
        if not result.ok():
            self.problem("dotnet pack failed (exit %s%s):\n%s"
                         % (result.rc, ", timeout" if result.timeout else "", result.tail()))
            return False
        log("packed in %.1f s" % self.pack_seconds)
        # Nothing above the workflows may change the builds: no Directory.Build.*, only our feed.
        for name in ("Directory.Build.props", "Directory.Build.targets"):
            (self.tmp / name).write_text("<Project />\n")
        (self.tmp / "nuget.config").write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <packageSources>\n    <clear />\n'
            '    <add key="stepup-bench" value=%s />\n  </packageSources>\n</configuration>\n'
            % quoteattr(str(self.feed)))
        return True

    # -- dotnet commands ---------------------------------------------------------------------

    def build_argv(self, root, extra=()):
        return ["dotnet", "build", str(Path(root) / "bench.stepproj"), "-nr:false", "-tl:off", "-v:q",
                "--no-restore", "-p:StepUpJobs=%d" % JOBS, "-p:StepUpDirectorIdleTimeout=60"] + list(extra)

    def restore(self, root, n):
        result = run_measured(["dotnet", "restore", str(Path(root) / "bench.stepproj"), "-nr:false", "-tl:off",
                               "-v:q"], root, self.stepup_env, Path(root).parent / (Path(root).name + "-restore.log"),
                              600 + n * 0.01)
        if not result.ok():
            self.problem("dotnet restore of %s failed (exit %s%s):\n%s"
                         % (root, result.rc, ", timeout" if result.timeout else "", result.tail()))
        return result.ok()

    def directors(self):
        return find_directors(self.director_dir)

    def shutdown_director(self):
        if not self.directors():
            return
        if self.prime_root is not None and self.prime_root.exists():
            try:
                run_measured(self.build_argv(self.prime_root, ["-t:StepUpShutdown"]), self.prime_root,
                             self.stepup_env, self.tmp / "shutdown.log", 120)
            except OSError as e:
                self.warn("dotnet build -t:StepUpShutdown could not run: %s" % e)
        deadline = time.time() + 15
        while self.directors() and time.time() < deadline:
            time.sleep(0.1)
        left = self.directors()
        if left:
            self.warn("the director did not stop after StepUpShutdown; sending SIGTERM to %s" % left)
            for pid in left:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            time.sleep(2)

    def start_director(self):
        """Starts a fresh director with a one-step cold build (timed: director start included)."""
        if self.prime_root is None:
            self.prime_root = self.tmp / "w" / "prime"
            write_template(self.prime_root, "stepup", "fanout", 1, self.version)
            if not self.restore(self.prime_root, 1):
                return None
        for name in ("out", ".stepup", "bin"):
            rmtree(self.prime_root / name)
        result = run_measured(self.build_argv(self.prime_root), self.prime_root, self.stepup_env,
                              self.tmp / "prime.log", 300)
        if not result.ok():
            self.problem("the first build with a new director failed (exit %s%s):\n%s"
                         % (result.rc, ", timeout" if result.timeout else "", result.tail()))
            return None
        pids = self.directors()
        if len(pids) != 1:
            self.problem("expected one director for %s, found %s" % (self.director_dir, pids))
            return None
        self.primes.append(result.wall)
        return pids[0]

    # -- one series: every tool for one shape and one N --------------------------------------

    def timeout_for(self, n):
        return 120 + n * 0.018  # 30 minutes and more for N=100,000

    def run_series(self, shape, n):
        tools = [t for t in self.tools if shape != "dynamic" or t == "stepup"]
        if n > 10000:
            tools = [t for t in tools if t == "stepup"]
        if not tools:
            return
        if "stepup" in tools:
            tools.append(FLOOR)
        series_dir = self.tmp / "w" / ("%s-%d" % (shape, n))
        series_dir.mkdir()
        templates = {}
        for tool in tools:
            if tool != FLOOR:
                templates[tool] = series_dir / ("t-" + tool)
                write_template(templates[tool], tool, shape, n, self.version)
        info = {"shape": shape, "n": n, "tools": tools}
        self.series.append(info)
        reps = self.args.warmup + self.args.reps
        timeout = self.timeout_for(n)
        director = None
        floor_root = None
        if "stepup" in tools:
            self.shutdown_director()
            director = self.start_director()
            if director is None:
                tools = [t for t in tools if t not in ("stepup", FLOOR)]
            else:
                floor_root = series_dir / "floor"
                shutil.copytree(templates["stepup"], floor_root)
                if not self.restore(floor_root, n):
                    tools.remove(FLOOR)
        for rep in range(reps):
            warm = rep < self.args.warmup
            order = tools[rep % len(tools):] + tools[:rep % len(tools)]
            rep_dir = series_dir / ("r%d" % rep)
            rep_dir.mkdir()
            summary = []
            for tool in order:
                if tool == FLOOR:
                    result = run_measured(self.build_argv(floor_root, ["-p:CustomAfterStepUpSdkTargets=" + str(FLOOR_TARGETS)]),
                                          floor_root, self.stepup_env, rep_dir / "floor.log", timeout)
                    self.record(shape, n, FLOOR, rep, warm, "noop", result)
                    summary.append("floor %s" % fmt_wall(result))
                    continue
                root = rep_dir / tool
                shutil.copytree(templates[tool], root)
                if tool == "stepup" and not self.restore(root, n):
                    continue
                walls = self.run_tool(tool, shape, n, rep, warm, root, director, timeout)
                summary.append("%s %s" % (tool, "/".join(walls)))
                if tool == "stepup":
                    if rep == 0 and director is not None:
                        info["director_hwm_first_kb"] = proc_status_kb(director, "VmHWM")
                    info.setdefault("db", []).append(db_size(root))
                    if shape == "fanout":
                        self.measure_step_command(n, root)
                rmtree(root)
            log("  %s N=%d rep %d/%d%s: %s" % (shape, n, rep + 1, reps, " (warm-up)" if warm else "",
                                              "; ".join(summary)))
            if director is not None and director not in self.directors():
                self.problem("the director (pid %d) is gone after %s N=%d rep %d" % (director, shape, n, rep))
                director = None
        if "stepup" in tools and director is not None:
            info["director_hwm_kb"] = proc_status_kb(director, "VmHWM")
            info["director_rss_kb"] = proc_status_kb(director, "VmRSS")
            self.shutdown_director()
        rmtree(series_dir)

    def measure_step_command(self, n, root):
        """The wall time of the changed step's own command, run by hand (/bin/sh -c)."""
        i = changed_index(n)
        command = "echo %d > out/%d.txt" % (i, i)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            subprocess.run(["/bin/sh", "-c", command], cwd=str(root))
            times.append(time.perf_counter() - start)
        self.step_cmd_ms.setdefault(n, []).append(statistics.median(times) * 1000)

    def tool_argv(self, tool, root):
        if tool == "stepup":
            return self.build_argv(root)
        if tool == "make":
            return ["make", "-j%d" % JOBS, "--no-print-directory"]
        return ["ninja", "-j%d" % JOBS]

    def run_tool(self, tool, shape, n, rep, warm, root, director, timeout):
        walls = []
        env = self.stepup_env if tool == "stepup" else None
        for phase in PHASES:
            if phase == "change":
                target = root / "out" / ("%d.txt" % changed_index(n))
                try:
                    target.unlink()
                except FileNotFoundError:
                    pass
            before = proc_cpu(director) if tool == "stepup" else None
            result = run_measured(self.tool_argv(tool, root), root, env,
                                  root.parent / ("%s-%s.log" % (tool, phase)), timeout)
            after = proc_cpu(director) if tool == "stepup" else None
            extra = {}
            if tool == "stepup":
                ran, dir_ms, phases = last_build_line(root)
                extra["ran"] = ran
                extra["dir_ms"] = dir_ms
                extra["dir_phases"] = phases
                extra["req_ms"] = last_request_ms(self.director_dir, root)
                if before and after:
                    extra["dir_cpu"] = after[0] - before[0]
                    extra["step_cpu"] = after[1] - before[1]
            else:
                extra["ran"] = count_ran(tool, result.log)
            self.record(shape, n, tool, rep, warm, phase, result, **extra)
            walls.append(fmt_wall(result))
            if not result.ok():
                self.problem("%s %s %s N=%d rep %d: exit %s%s\n%s"
                             % (TOOL_LABEL[tool], phase, shape, n, rep, result.rc,
                                " (timeout after %.0f s)" % timeout if result.timeout else "", result.tail()))
                break
            expected = final_outputs(shape, n) if phase == "cold" else ["out/%d.txt" % changed_index(n)]
            missing = [p for p in expected if not (root / p).exists()]
            if missing:
                self.problem("%s %s %s N=%d: outputs missing after a successful build: %s"
                             % (TOOL_LABEL[tool], phase, shape, n, missing))
        return walls

    def record(self, shape, n, tool, rep, warm, phase, result, **extra):
        entry = {"shape": shape, "n": n, "tool": tool, "rep": rep, "warmup": warm, "phase": phase,
                 "wall": result.wall, "rc": result.rc, "timeout": result.timeout, "cpu": result.cpu,
                 "maxrss_kb": result.maxrss_kb}
        entry.update(extra)
        self.runs.append(entry)

    # -- main ---------------------------------------------------------------------------------

    def run(self):
        args = self.args
        self.ensure_tools(args.tools)
        if "stepup" in self.tools and not self.pack():
            return
        if not self.tools:
            self.problem("no tool to measure")
            return
        (self.tmp / "w").mkdir(exist_ok=True)
        for n in args.sizes:
            for shape in args.shapes:
                if n > 10000 and shape != "fanout":
                    continue
                log("series %s N=%d" % (shape, n))
                self.run_series(shape, n)

    def cleanup(self):
        try:
            self.shutdown_director()
        finally:
            if not self.args.keep_temp:
                rmtree(self.tmp)
                rmtree(self.director_dir)
            else:
                log("kept %s and %s" % (self.tmp, self.director_dir))


# ----------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------

def fmt_wall(result):
    if result.timeout:
        return "timeout"
    if result.rc != 0:
        return "failed"
    return "%.3f" % result.wall


def median_of(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def load_average():
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


def machine_description():
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
    for name, argv in (("dotnet", ["dotnet", "--version"]), ("make", ["make", "--version"]),
                       ("ninja", ["ninja", "--version"])):
        if shutil.which(argv[0]):
            rc, out = run_quiet(argv, cwd=str(REPO), timeout=60)
            info[name] = out.strip().splitlines()[0] if rc == 0 and out.strip() else "?"
        else:
            info[name] = "not installed"
    info["python"] = platform.python_version()
    info["date"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    return info


class Report:
    def __init__(self, bench, command, elapsed):
        self.b = bench
        self.command = command
        self.elapsed = elapsed
        self.measured = [r for r in bench.runs if not r["warmup"]]

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
        order = {"stepup": 0, "ninja": 1, "make": 2, FLOOR: 3}
        shape_order = {s: i for i, s in enumerate(ALL_SHAPES)}
        return sorted(seen, key=lambda k: (k[2], shape_order[k[1]], order[k[0]]))

    def series_info(self, shape, n):
        for s in self.b.series:
            if s["shape"] == shape and s["n"] == n:
                return s
        return {}

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

    def table(self, header, rows):
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
        line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
        out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        out += [line(r) for r in rows]
        return "\n".join(out)

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
                rows.append([TOOL_LABEL[tool], shape, n, "-", self.s(self.stat(tool, shape, n, "noop")), "-", "-",
                             "-", self.s(self.stat(tool, shape, n, "noop", "cpu"), 2), "-", "-", "-",
                             self.mb(max(peaks) if peaks else None)])
                continue
            rows.append([
                TOOL_LABEL[tool], shape, n,
                self.s(self.stat(tool, shape, n, "cold")),
                self.s(self.stat(tool, shape, n, "noop")),
                self.s(self.stat(tool, shape, n, "change")),
                ran,
                *[self.s(self.stat(tool, shape, n, p, "cpu_total"), 2) for p in PHASES],
                "/".join(self.ms(self.stat(tool, shape, n, p, "dir_ms")) for p in PHASES) if tool == "stepup" else "-",
                self.s(self.stat(tool, shape, n, "noop", "dir_cpu"), 3) if tool == "stepup" else "-",
                self.mb(max(peaks) if peaks else None),
            ])
        return self.table(header, rows)

    def stepup_table(self):
        header = ["shape", "N", "director peak MB (1st project)", "director peak MB (series end)",
                  "director RSS MB (series end)", "graph.db+wal on disk B/step", "graph.db checkpointed B/step"]
        rows = []
        for s in self.b.series:
            if "stepup" not in s["tools"]:
                continue
            n = s["n"]
            steps = n + (1 if s["shape"] in ("fanin", "dynamic") else 0)
            sizes = s.get("db") or []
            disk = [d for d, _ in sizes]
            checked = [c for _, c in sizes if c is not None]
            rows.append([s["shape"], n, self.mb(s.get("director_hwm_first_kb")), self.mb(s.get("director_hwm_kb")),
                         self.mb(s.get("director_rss_kb")), self.ms(max(disk) / steps if disk else None),
                         self.ms(max(checked) / steps if checked else None)])
        return self.table(header, rows)

    def ratio_table(self):
        header = ["shape", "N", "StepUp/ninja cold", "StepUp/ninja no-op", "StepUp/ninja 1-change",
                  "StepUp/make cold", "StepUp no-op / MSBuild floor", "director no-op ms (director.log)",
                  "director no-op request ms (d-*.log)", "StepUp no-op - floor s"]
        rows = []
        seen = []
        for tool, shape, n in self.combos():
            if (shape, n) in seen:
                continue
            seen.append((shape, n))
            st = {p: self.stat("stepup", shape, n, p) for p in PHASES}
            nj = {p: self.stat("ninja", shape, n, p) for p in PHASES}
            mk = self.stat("make", shape, n, "cold")
            fl = self.stat(FLOOR, shape, n, "noop")
            fmt = lambda x: "-" if x is None else "%.2f" % x
            diff = st["noop"] - fl if isinstance(st["noop"], float) and isinstance(fl, float) else None
            rows.append([shape, n, fmt(self.ratio(st["cold"], nj["cold"])), fmt(self.ratio(st["noop"], nj["noop"])),
                         fmt(self.ratio(st["change"], nj["change"])), fmt(self.ratio(st["cold"], mk)),
                         fmt(self.ratio(st["noop"], fl)), self.ms(self.stat("stepup", shape, n, "noop", "dir_ms")),
                         self.s(self.stat("stepup", shape, n, "noop", "req_ms"), 1), self.s(diff)])
        return self.table(header, rows)

    def targets(self):
        """(target, measured, status) at N=10,000 (or, labelled, the largest N measured)."""
        out = []
        sizes = sorted({r["n"] for r in self.measured if r["n"] <= 10000})
        n = 10000 if 10000 in sizes else (sizes[-1] if sizes else None)
        label = "" if n == 10000 else " [indicative: N=%s, target is for N=10,000]" % n

        def status(ok):
            if ok is None:
                return "n/a"
            return ("PASS" if ok else "FAIL") + label

        def num(x):
            return isinstance(x, (int, float))

        if n is not None:
            st, nj = self.stat("stepup", "fanout", n, "cold"), self.stat("ninja", "fanout", n, "cold")
            r = self.ratio(st, nj)
            out.append(("cold fanout: StepUp wall <= 1.5 x ninja",
                        "%s s vs %s s (x%s)" % (self.s(st), self.s(nj), "-" if r is None else "%.2f" % r),
                        status(None if r is None else r <= 1.5)))
            noop, fl = self.stat("stepup", "fanout", n, "noop"), self.stat(FLOOR, "fanout", n, "noop")
            r = self.ratio(noop, fl)
            out.append(("no-op fanout: StepUp <= 1.25 x MSBuild floor",
                        "%s s vs %s s (x%s)" % (self.s(noop), self.s(fl), "-" if r is None else "%.2f" % r),
                        status(None if r is None else r <= 1.25)))
            dms = self.stat("stepup", "fanout", n, "noop", "dir_ms")
            req = self.stat("stepup", "fanout", n, "noop", "req_ms")
            out.append(("no-op fanout: director time < 50 ms",
                        "%s ms (whole request, reading the items included: %s ms)" % (self.ms(dms), self.ms(req)),
                        status(dms < 50 if num(dms) else None)))
            chg = self.stat("stepup", "fanout", n, "change")
            cmd = statistics.median(self.b.step_cmd_ms[n]) if self.b.step_cmd_ms.get(n) else None
            ok = None
            if num(chg) and num(noop) and cmd is not None:
                limit = noop + 0.050 + cmd / 1000
                ok = chg <= limit
            out.append(("one changed leaf (fanout): <= no-op + 50 ms + the step's command",
                        "%s s vs %s s + 0.050 + %s ms" % (self.s(chg), self.s(noop), self.s(cmd, 1)), status(ok)))
            dyn, fan = self.stat("stepup", "dynamic", n, "cold"), st
            r = self.ratio(dyn, fan)
            out.append(("dynamic cold <= 2 x static fanout cold",
                        "%s s vs %s s (x%s)" % (self.s(dyn), self.s(fan), "-" if r is None else "%.2f" % r),
                        status(None if r is None else r <= 2)))
        big = self.series_info("fanout", 100000)
        if big:
            cold = self.stat("stepup", "fanout", 100000, "cold")
            peak = big.get("director_hwm_first_kb")
            ok = None
            if cold is not None:
                ok = num(cold) and peak is not None and peak < 300 * 1024
            out.append(("N=100,000 fanout completes, director peak RSS < 300 MB",
                        "cold %s s, peak %s MB (series end %s MB)" % (self.s(cold), self.mb(peak),
                                                                      self.mb(big.get("director_hwm_kb"))),
                        "PASS" if ok else ("n/a" if ok is None else "FAIL")))
        else:
            out.append(("N=100,000 fanout completes, director peak RSS < 300 MB", "not run", "n/a"))
        per_step = []
        for s in self.b.series:
            steps = s["n"] + (1 if s["shape"] in ("fanin", "dynamic") else 0)
            checked = [c for _, c in s.get("db") or [] if c is not None]
            if checked:
                per_step.append((max(checked) / steps, s["shape"], s["n"]))
        if per_step:
            worst = max(per_step)
            out.append(("graph.db < 1 KB per step (checkpointed)",
                        "largest: %.0f B/step (%s N=%d)" % worst, "PASS" if worst[0] < 1024 else "FAIL"))
        return out

    def render(self, machine):
        b = self.b
        lines = ["# StepUp.Sdk benchmark results", ""]
        lines += ["Command: `%s` (from the repository root)" % self.command, ""]
        lines += ["Run took %.1f min (pack %.0f s), %d measured repetition(s) after %d warm-up repetition(s)."
                  % (self.elapsed / 60, b.pack_seconds or 0, b.args.reps, b.args.warmup), ""]
        lines += ["## Machine", ""]
        for key in ("nproc", "cpu", "memory", "os", "dotnet", "make", "ninja", "python", "date"):
            lines.append("- %s: %s" % (key, machine.get(key, "?")))
        lines.append("- load average (1, 5, 15 min) at start: %s; at end: %s (other work on the machine "
                     "makes the numbers noisy)" % (b.load_start, load_average()))
        lines += ["- StepUp.Sdk: packed from this repository as %s" % b.version, ""]
        lines += ["## Wall time, CPU, steps run (medians)", "",
                  "Wall times in seconds. `ran` is the number of steps the tool ran. CPU is user+sys of the "
                  "build's process tree plus, for StepUp.Sdk, the director's own CPU and that of the steps it "
                  "ran. `director ms` is the `in N ms` of `.stepup/director.log`. The MSBuild floor is a "
                  "`dotnet build` of the same .stepproj whose StepUpBuild target does nothing.", "",
                  self.wall_table(), ""]
        lines += ["## Ratios (medians)", "", self.ratio_table(), ""]
        if any("stepup" in s["tools"] for s in b.series):
            lines += ["## StepUp.Sdk director memory and graph size", "", self.stepup_table(), ""]
            if b.primes:
                lines += ["First-ever build (starts the director; a one-step project): %.3f s. "
                          "Each StepUp series starts a fresh director this way: median %.3f s over %d starts."
                          % (b.primes[0], statistics.median(b.primes), len(b.primes)), ""]
        phase_rows = []
        for tool, shape, n in self.combos():
            if tool != "stepup":
                continue
            cells = []
            for phase in PHASES:
                runs = [r for r in self.runs(tool, shape, n, phase) if r.get("dir_phases")]
                cells.append(runs[-1]["dir_phases"] if runs else "-")
            if any(c != "-" for c in cells):
                phase_rows.append([shape, n] + cells)
        if phase_rows:
            lines += ["## Director phase times (ms, last measured repetition, from director.log)", "",
                      self.table(["shape", "N", "cold", "no-op", "1-change"], phase_rows), ""]
        lines += ["## Targets", "", self.table(["target", "measured", "status"], self.targets()), ""]
        if b.step_cmd_ms:
            lines += ["The changed step's own command (`/bin/sh -c 'echo i > out/i.txt'` run by hand): %s ms." %
                      ", ".join("N=%d: %.1f" % (n, statistics.median(v)) for n, v in sorted(b.step_cmd_ms.items())), ""]
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
            lines.append("- %s %s N=%d: %s" % (TOOL_LABEL[tool], shape, n, "; ".join(parts)))
        lines.append("")
        return "\n".join(lines)


# ----------------------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description="StepUp.Sdk benchmark (see bench/README.md)")
    p.add_argument("--smoke", action="store_true", help="N=100, one repetition, no warm-up; results in a temp file")
    p.add_argument("--reps", type=int, default=None, help="measured repetitions (default 5; smoke 1)")
    p.add_argument("--warmup", type=int, default=None, help="warm-up repetitions, not counted (default 1; smoke 0)")
    p.add_argument("--max-n", type=int, default=None, help="largest N (default 100000; smoke 100)")
    p.add_argument("--sizes", default=None, help="comma-separated N values (default 100,1000,10000,100000)")
    p.add_argument("--shapes", default=",".join(ALL_SHAPES), help="comma-separated: " + ",".join(ALL_SHAPES))
    p.add_argument("--tools", default=",".join(ALL_TOOLS), help="comma-separated: " + ",".join(ALL_TOOLS))
    p.add_argument("--output", default=None, help="where to write the Markdown results")
    p.add_argument("--keep-temp", action="store_true", help="keep the temporary folders (debugging)")
    args = p.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")] if args.sizes else list(ALL_SIZES)
    max_n = args.max_n if args.max_n is not None else (100 if args.smoke else None)
    if max_n is not None:
        sizes = [n for n in sizes if n <= max_n]
    args.sizes = sorted(set(sizes))
    args.reps = args.reps if args.reps is not None else (1 if args.smoke else 5)
    args.warmup = args.warmup if args.warmup is not None else (0 if args.smoke else 1)
    args.shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for s in args.shapes:
        if s not in ALL_SHAPES:
            p.error("unknown shape %s" % s)
    for t in args.tools:
        if t not in ALL_TOOLS:
            p.error("unknown tool %s" % t)
    if args.reps < 1 or args.warmup < 0 or not args.sizes:
        p.error("need --reps >= 1, --warmup >= 0 and at least one N")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    command = "python3 bench/bench.py" + ("" if len(sys.argv) < 2 else " " + " ".join(sys.argv[1:]))
    if args.output:
        output = Path(args.output)
    elif args.smoke:
        output = Path(tempfile.gettempdir()) / ("stepup-bench-smoke-%s.md" % time.strftime("%Y%m%d-%H%M%S"))
    else:
        output = BENCH / "RESULTS.md"
    bench = Bench(args)
    log("StepUp.Sdk benchmark: sizes %s, shapes %s, tools %s, %d rep(s) + %d warm-up; temp %s, director dir %s"
        % (args.sizes, ",".join(args.shapes), ",".join(args.tools), args.reps, args.warmup, bench.tmp,
           bench.director_dir))

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
    machine = machine_description()
    report = Report(bench, command, elapsed)
    text = report.render(machine)
    log("")
    log(text)
    output.write_text(text)
    if not args.smoke or args.output:
        json_path = output.with_suffix(".json")
        json_path.write_text(json.dumps({"machine": machine, "command": command, "version": bench.version,
                                         "runs": bench.runs, "series": bench.series, "primes": bench.primes,
                                         "step_cmd_ms": bench.step_cmd_ms, "problems": bench.problems,
                                         "warnings": bench.warnings}, indent=1))
    log("results written to %s (%.1f min)" % (output, elapsed / 60))
    return 1 if (bench.problems or interrupted) else 0


if __name__ == "__main__":
    sys.exit(main())
