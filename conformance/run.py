#!/usr/bin/env python3
"""Run StepUp Core's example suite against StepUp.Sdk's own ``stepup`` command.

Usage::

    conformance/run.py PATH_TO_STEPUP_CORE [--sdk PACKAGE] [--jobs N] [--cases PATTERN ...]

``PATH_TO_STEPUP_CORE`` is a checkout of ``reproducible-reporting/stepup-core`` (fetched by hand;
none of its files belong in this repository). ``--sdk`` is a packed ``StepUp.Sdk.*.nupkg`` or a
folder holding an unpacked one; without it the SDK is packed from this repository first.

Each case ``tests/examples/<case>/main.sh`` runs the way StepUp Core's own harness
(``stepup/core/pytest.py::run_example``) runs it: the case is copied to a temporary folder, the
shared ``example.rc`` is put next to it (``../example.rc``), `` & #`` is removed from the lines
that start with ``stepup`` or ``sb`` (so that their output goes to ``current_*.txt``), and
``main.sh`` runs with a 30 s limit. Every ``expected_*`` file of the case is then compared with the
``current_*`` file that the run made, after StepUp's own normalisation. The only ``stepup`` (and
``sb``) on PATH is the one the SDK package ships in ``tools/bin``; its Python package
``tools/python`` comes first on PYTHONPATH.

The results go to ``conformance/RESULTS.md`` (``--results`` to change): a table per category
(the case name up to its first ``_``) and one line per case. Standard library only.
"""

import argparse
import concurrent.futures
import datetime
import fnmatch
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_RESULTS = os.path.join(REPO_ROOT, "conformance", "RESULTS.md")
CASE_TIMEOUT = 30.0
MAIN_LOG = "main.log"

# Cases that cannot pass for a reason a StepUp user would accept. Each is listed in RESULTS.md.
UNSUPPORTED = {
    "preload_modules": (
        "It tests `--preload-modules`, which imports modules once into StepUp Core's fork server so "
        "that Python steps start from a warm interpreter. StepUp.Sdk starts every step as a fresh "
        "process and has no fork server; StepUp Core's own CI skips this case in the same situation "
        "(`STEPUP_BUILD_FORKSERVER=0`)."
    ),
    "absolute": (
        "It copies a file to an absolute path in a temporary folder outside the project root. "
        "StepUp.Sdk never writes outside the project root (STEPUP0006): a build may only change the "
        "project it builds, so a mistyped path cannot overwrite a file elsewhere."
    ),
    "here": (
        "Its nested plan copies a file to `${ROOT}/../public/`, beside the project root (STEPUP_ROOT "
        "is `source/`). StepUp.Sdk never writes outside the project root (STEPUP0006), for the same "
        "reason as in `absolute`."
    ),
    "clean_changed": (
        "It expects `stepup clean --all --commit --unsafe` to delete an output that the user edited "
        "after StepUp built it. StepUp.Sdk never deletes an edited output, with or without `--unsafe` "
        "(it warns and keeps the file): losing a user's edit is never what a clean is for."
    ),
    "filter_deps_symlink": (
        "Its main.sh greps graph.txt for StepUp 4's word for an input (`source   file:...`). "
        "StepUp.Sdk's graph.txt keeps the words of its own contract and of the StepUp documentation it "
        "was made from (`consumes`, `creates`, `supplies`: stepproj.md section 8, seed 001), which "
        "StepUp 4 renamed; the graph itself is right (the helper reached through the symlink is the "
        "step's input)."
    ),
    "translate_external": (
        "Its step runs in a folder outside the project root (`workdir=\"../../common\"`) and writes "
        "`../public/foo.txt` there. StepUp.Sdk runs steps and writes outputs only inside the project "
        "root (STEPUP0006), so that a build never overwrites or cleans up a file of another project; "
        "a step may still read files outside it."
    ),
}

# StepUp Core's own workflow database: these cases read its tables directly.
_CORE_DATABASE = (
    "It reads StepUp Core's own workflow database (`SELECT ... FROM %s` in `.stepup/graph.db`), an "
    "internal schema that StepUp.Sdk's graph.db does not share. StepUp.Sdk keeps the output of each "
    "step's latest run in `.stepup/logs/` (and in the build report), and the commands a step records "
    "with `run_subprocess()` in `.stepup/director.log`."
)
UNSUPPORTED.update({
    "output_storage": _CORE_DATABASE % "step_outcome",
    "subprocess_output": _CORE_DATABASE % "step_outcome JOIN node",
    "record_subprocess": _CORE_DATABASE % "step_subprocess",
    "record_subprocess_shell": _CORE_DATABASE % "step_subprocess",
})

# Cases whose own scripts need a newer `path` (StepUp 4 requires path>=16.14.0) than the one that
# Debian ships (python3-path 16.6.0): unsupported only where the importable `path` is too old.
NEEDS_NEWER_PATH = {
    "build_target_dir": (
        "Its step `gen.py` calls `Path.is_file()` of the `path` package, a method that path 16.12.0 "
        "added (StepUp Core 4 requires path>=16.14.0); Debian ships path 16.6.0 (python3-path), which "
        "only has `isfile()`, so the step fails with an AttributeError before StepUp.Sdk is tested. "
        "With a `path` that has `is_file()` its main.sh passes."
    ),
    "detach_running_skip": (
        "Its step `work.py` calls `Path(\"out.txt\").is_file()` of the `path` package, a method that "
        "path 16.12.0 added (StepUp Core 4 requires path>=16.14.0); Debian ships path 16.6.0 "
        "(python3-path), which only has `isfile()`, so the step fails with an AttributeError before "
        "StepUp.Sdk is tested. With a newer `path` (`pip install path`) the case runs, and its "
        "`main.sh` passes."
    ),
}


def path_is_too_old(env):
    """Whether the `path` the cases import lacks `Path.is_file` (path < 16.12.0)."""
    probe = "import sys, path; sys.exit(0 if hasattr(path.Path, 'is_file') else 1)"
    done = subprocess.run(["python3", "-c", probe], env=env, capture_output=True)
    return done.returncode == 1


# The environment of StepUp Core's harness (pytest.py) and of its CI (.github/workflows/pytest.yaml).
# There is no fork server here, so the suite runs the way StepUp Core's CI runs it without one.
CASE_ENV = {
    "PYTHONUNBUFFERED": "yes",
    "COLUMNS": "80",
    "STEPUP_DEBUG": "1",
    "STEPUP_BUILD_DURATION": "0",
    "STEPUP_SYNC_RPC_TIMEOUT": "10",
    "STEPUP_BUILD_FORKSERVER": "0",
    "DOTNET_NOLOGO": "1",
    "DOTNET_CLI_TELEMETRY_OPTOUT": "1",
}

# Variables of a surrounding StepUp step or build: a case must not talk to that director.
INHERITED_STEPUP_VARS = (
    "STEPUP_DIRECTOR_SOCKET",
    "STEPUP_STEP_TOKEN",
    "STEPUP_STEP_KEY",
    "STEPUP_ROOT",
    "STEPUP_DIRECTOR_DIR",
    "STEPUP_JOB_I",
)

STDERR_BEGIN = "─" * 32 + " Standard error " + "─" * 32
STDERR_END = "─" * 80


def main(argv=None):
    args = parse_args(argv)
    examples = os.path.join(os.path.abspath(args.stepup_core), "tests", "examples")
    if not os.path.isfile(os.path.join(examples, "example.rc")):
        raise SystemExit("error: %s has no tests/examples/example.rc: is it a StepUp Core checkout?" % args.stepup_core)
    cases = select_cases(examples, args.cases)
    if not cases:
        raise SystemExit("error: no case matches %s" % " ".join(args.cases))

    with tempfile.TemporaryDirectory(prefix="stepup-conformance-") as scratch:
        sdk = unpack_sdk(args.sdk or pack_sdk(scratch), os.path.join(scratch, "sdk"))
        # Short: a director's socket lives in this folder, and socket paths are limited.
        director_dir = tempfile.mkdtemp(prefix="sucf-", dir="/tmp")
        env = case_environment(sdk, director_dir)
        if path_is_too_old(env):
            UNSUPPORTED.update(NEEDS_NEWER_PATH)
        try:
            args.load_before = os.getloadavg()[1]
            results = run_cases(examples, cases, env, args.jobs, args.keep)
            args.load_after = os.getloadavg()[1]
        finally:
            stop_directors(director_dir)
            shutil.rmtree(director_dir, ignore_errors=True)

    revision = args.core_revision or core_revision(args.stepup_core)
    with open(args.results, "w", encoding="utf-8") as stream:
        stream.write(render_results(results, revision, args))
    passed = sum(1 for r in results if r.status == "pass")
    print("%d of %d cases pass; results in %s" % (passed, len(results), os.path.relpath(args.results)))
    return 0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stepup_core", help="a checkout of reproducible-reporting/stepup-core")
    parser.add_argument("--sdk", help="a StepUp.Sdk .nupkg, or a folder with one unpacked (default: pack this repository)")
    parser.add_argument("--cases", nargs="+", default=["*"], help="case names or shell patterns (default: all)")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="cases run at the same time (default: 1)")
    parser.add_argument("--results", default=DEFAULT_RESULTS, help="the Markdown report to write")
    parser.add_argument("--core-revision", help="the StepUp Core commit, when the checkout is not a git work tree")
    parser.add_argument("--keep", action="store_true", help="keep the folder of each failing case and print it")
    return parser.parse_args(argv)


def select_cases(examples, patterns):
    names = sorted(
        name for name in os.listdir(examples) if os.path.isfile(os.path.join(examples, name, "main.sh"))
    )
    return [name for name in names if any(fnmatch.fnmatchcase(name, p) for p in patterns)]


def core_revision(path):
    try:
        out = subprocess.run(["git", "-C", path, "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


# The SDK under test


def pack_sdk(scratch):
    """Packs sdk/StepUp.Sdk with a version of its own, the way the end-to-end tests do."""
    version = "0.0.1-conformance" + datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d%H%M%S")
    feed = os.path.join(scratch, "feed")
    project = os.path.join(REPO_ROOT, "sdk", "StepUp.Sdk", "StepUp.Sdk.csproj")
    print("packing %s as version %s ..." % (os.path.relpath(project), version), flush=True)
    command = ["dotnet", "pack", project, "-c", "Release", "-p:Version=" + version, "-o", feed,
               "-nr:false", "-tl:off", "-v:m", "-p:UseSharedCompilation=false"]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    package = os.path.join(feed, "StepUp.Sdk.%s.nupkg" % version)
    if done.returncode != 0 or not os.path.isfile(package):
        raise SystemExit("error: packing the SDK failed:\n" + done.stdout + done.stderr)
    return package


def unpack_sdk(package, destination):
    """The folder of an unpacked SDK package, with its tools/bin commands executable."""
    if os.path.isdir(package):
        root = os.path.abspath(package)
    else:
        with zipfile.ZipFile(package) as archive:
            archive.extractall(destination)
        root = destination
    bin_dir = os.path.join(root, "tools", "bin")
    if not os.path.isfile(os.path.join(bin_dir, "stepup")):
        raise SystemExit("error: %s has no tools/bin/stepup" % package)
    for name in os.listdir(bin_dir):
        path = os.path.join(bin_dir, name)
        os.chmod(path, os.stat(path).st_mode | 0o111)
    return root


def case_environment(sdk, director_dir):
    env = {key: value for key, value in os.environ.items() if key not in INHERITED_STEPUP_VARS}
    bin_dir = os.path.join(sdk, "tools", "bin")
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    python_dir = os.path.join(sdk, "tools", "python")
    env["PYTHONPATH"] = python_dir + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["STEPUP_DIRECTOR_DIR"] = director_dir
    env.update(CASE_ENV)
    # Another StepUp on PATH would make the results worthless: only the SDK's commands may answer.
    for command in ("stepup", "sb"):
        found = shutil.which(command, path=env["PATH"])
        if found is not None and os.path.dirname(os.path.abspath(found)) != bin_dir:
            raise SystemExit("error: `%s` on PATH is %s, not the SDK's; remove it from PATH first." % (command, found))
    missing = [m for m in ("path", "jinja2", "yaml") if subprocess.run(
        ["python3", "-c", "import " + m], env=env, capture_output=True).returncode != 0]
    if missing:
        print("warning: python3 cannot import %s, which the examples need (see README.md)" % ", ".join(missing), flush=True)
    return env


def stop_directors(director_dir):
    """Stops the directors that the cases started (their command line names our director folder)."""
    pids = director_pids(director_dir)
    for pid in pids:
        signal_pid(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while pids and time.monotonic() < deadline:
        time.sleep(0.1)
        pids = director_pids(director_dir)
    for pid in pids:
        signal_pid(pid, signal.SIGKILL)


def director_pids(director_dir):
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as stream:
                words = stream.read().decode("utf-8", "replace").split("\0")
        except OSError:
            continue
        if any("StepUp.Director" in w for w in words) and any(director_dir in w for w in words):
            pids.append(int(entry))
    return pids


def signal_pid(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


# One case


class CaseResult:
    def __init__(self, name):
        self.name = name
        self.category = name.split("_", 1)[0]
        self.returncode = None  # None: still running at the time limit
        self.timed_out = False
        self.compared = []  # (expected file name, equal, note)
        self.unsupported = UNSUPPORTED.get(name)
        self.seconds = 0.0
        self.kept = None
        self.last_output = ""  # the last line of main.log that is not a bash -x trace

    @property
    def main_passed(self):
        return self.returncode == 0 and not self.timed_out

    @property
    def outputs_equal(self):
        return all(equal for _, equal, _ in self.compared)

    @property
    def outputs_matched(self):
        """The case has expected_* files and every one matches."""
        return bool(self.compared) and self.outputs_equal

    @property
    def status(self):
        if self.unsupported:
            return "unsupported"
        return "pass" if self.main_passed and self.outputs_equal else "fail"

    def note(self):
        """The first problems, for a reader looking for what to fix."""
        if self.unsupported:
            return "unsupported"
        parts = []
        if self.timed_out:
            parts.append("main.sh still running after %d s" % CASE_TIMEOUT)
        elif self.returncode != 0:
            parts.append("main.sh exited with %s" % self.returncode)
            if self.last_output:
                parts[-1] += " after `%s`" % shorten(self.last_output)
        parts.extend("%s %s" % (name, note) for name, equal, note in self.compared if not equal)
        return "; ".join(parts[:2])


def run_case(examples, name, env, keep):
    result = CaseResult(name)
    if result.unsupported:
        return result
    source = os.path.join(examples, name)
    scratch = tempfile.mkdtemp(prefix="stepup-case-")
    workdir = os.path.join(scratch, "example")
    started = time.monotonic()
    try:
        shutil.copytree(source, workdir, symlinks=True)
        checkout_modes(workdir)
        shutil.copy(os.path.join(examples, "example.rc"), os.path.join(scratch, "example.rc"))
        activate_redirections(os.path.join(workdir, "main.sh"))
        with open(os.path.join(workdir, MAIN_LOG), "w") as log:
            process = subprocess.Popen(
                "./main.sh", shell=True, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=lambda: os.umask(0o022),
            )
            try:
                result.returncode = process.wait(CASE_TIMEOUT)
            except subprocess.TimeoutExpired:
                result.timed_out = True
            finally:
                # main.sh leads its own process group: what it left running goes with it.
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                process.wait()
        result.last_output = last_output(os.path.join(workdir, MAIN_LOG))
        for expected in sorted(glob.glob(os.path.join(glob.escape(source), "expected*.*"))):
            result.compared.append(compare(expected, workdir))
    finally:
        result.seconds = time.monotonic() - started
        if keep and result.status == "fail":
            result.kept = scratch
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return result


def checkout_modes(folder):
    """The permissions of a git checkout made with StepUp's CI umask (022): git keeps only the
    executable bit, so a copy of a snapshot with group-writable files would differ (the
    `permissions_*` cases compare modes)."""
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode & ~0o022)


def last_output(log_path):
    with open(log_path, encoding="utf-8", errors="replace") as stream:
        lines = [line.rstrip() for line in stream if line.strip() and not line.startswith("+")]
    return lines[-1] if lines else ""


def activate_redirections(main_sh):
    """The harness's `sed -i -e '/^\\(stepup\\|sb\\)/ s/ & #//' main.sh`."""
    with open(main_sh, encoding="utf-8") as stream:
        lines = stream.read().split("\n")
    for i, line in enumerate(lines):
        if line.startswith(("stepup", "sb")):
            lines[i] = line.replace(" & #", "", 1)
    with open(main_sh, "w", encoding="utf-8") as stream:
        stream.write("\n".join(lines))


def compare(expected_path, workdir):
    name = os.path.basename(expected_path)
    current_path = os.path.join(workdir, "current" + name[len("expected"):])
    if not os.path.isfile(current_path):
        return name, False, "not made"
    with open(current_path, encoding="utf-8", errors="replace") as stream:
        current = normalize(stream.read().rstrip(), workdir)
    with open(expected_path, encoding="utf-8", errors="replace") as stream:
        expected = stream.read().rstrip()
    if current == expected:
        return name, True, ""
    return name, False, first_difference(expected, current)


def normalize(text, workdir):
    """StepUp Core's normalisation of a current_* file before it is compared (pytest.py)."""
    # StepUp's harness replaces its own working directory (the checkout) first; ours is never a
    # prefix of the case folder, which is what makes that order safe.
    cwd = os.getcwd()
    if not workdir.startswith(cwd.rstrip("/") + "/"):
        text = text.replace(cwd, "${PWD}")
    text = text.replace(workdir, "${CASE}")
    text = re.sub(r"DIRECTOR │ Listening on .*\n", "", text)
    text = re.sub(r", line \d+, in ", ", line ---, in ", text)
    text = re.sub(r"^    \.{3}<\d+ lines>\.{3}\n", "", text, flags=re.MULTILINE)
    text = re.sub(r"^    \)\n", "", text, flags=re.MULTILINE)
    text = re.sub(r"    \~*\^*\n", "", text, flags=re.MULTILINE)
    text = re.sub(r"[ \t]+?(\n|\Z)", r"\1", text)
    text = re.sub(r" {10}(.{4})digest = [ 0-9a-f]{71}\n", "", text)
    text = re.sub(
        re.escape(STDERR_BEGIN) + r".*?" + re.escape(STDERR_END),
        STDERR_BEGIN + "\n(stripped)\n" + STDERR_END,
        text,
        flags=re.DOTALL,
    )
    text = re.sub(r"DIRECTOR │ Wall .*\n", "", text)
    return text


def first_difference(expected, current):
    exp_lines = expected.split("\n")
    cur_lines = current.split("\n")
    for number, (exp, cur) in enumerate(zip(exp_lines, cur_lines), 1):
        if exp != cur:
            return "differs at line %d: `%s`, expected `%s`" % (number, shorten(cur), shorten(exp))
    if len(cur_lines) < len(exp_lines):
        return "ends at line %d of %d" % (len(cur_lines), len(exp_lines))
    return "has %d lines, expected %d" % (len(cur_lines), len(exp_lines))


def shorten(line, width=60):
    line = line.replace("|", "\\|").replace("`", "'")
    return line if len(line) <= width else line[: width - 1] + "…"


def run_cases(examples, cases, env, jobs, keep):
    results = []
    with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
        futures = [pool.submit(run_case, examples, name, env, keep) for name in cases]
        for future in futures:
            result = future.result()
            results.append(result)
            line = "%-12s %-45s %5.1f s  %s" % (result.status.upper(), result.name, result.seconds, result.note())
            if result.kept:
                line += "  (kept in %s)" % result.kept
            print(line.rstrip(), flush=True)
    return results


# The report


def render_results(results, revision, args):
    categories = {}
    for result in results:
        categories.setdefault(result.category, []).append(result)
    supported = [r for r in results if not r.unsupported]
    lines = [
        "# StepUp Core's example suite on StepUp.Sdk",
        "",
        "Made by `conformance/run.py` (see its docstring) on %s, from StepUp Core %s." % (
            datetime.date.today().isoformat(), revision),
        "Each case of `tests/examples` ran the way StepUp Core's harness runs it, with the `stepup`",
        "command of the StepUp.Sdk package on PATH. *main.sh* counts the cases whose `main.sh` exited",
        "with 0 within %d s; *outputs* those whose every `current_*` file equals its `expected_*`" % CASE_TIMEOUT,
        "after StepUp's normalisation; *pass* those with both. %d case(s) have no `expected_*` file" % sum(
            not r.compared for r in supported),
        "(StepUp Core's harness then checks `main.sh` alone, and so does this one).",
        "The machine's load average (5 minutes) was %.1f at the start and %.1f at the end, on %d cores, "
        "with %d case(s) at a time." % (args.load_before, args.load_after, os.cpu_count() or 0, args.jobs),
        "",
        "| | cases | main.sh | outputs | pass |",
        "|---|---:|---:|---:|---:|",
        "| **all** | %d | %d | %d | %d (%s) |" % (
            len(supported),
            sum(r.main_passed for r in supported),
            sum(r.outputs_matched for r in supported),
            sum(r.status == "pass" for r in supported),
            percent(sum(r.status == "pass" for r in supported), len(supported)),
        ),
    ]
    for category in sorted(categories):
        members = [r for r in categories[category] if not r.unsupported]
        if not members:
            continue
        passed = sum(r.status == "pass" for r in members)
        lines.append("| `%s_*` | %d | %d | %d | %d (%s) |" % (
            category, len(members), sum(r.main_passed for r in members), sum(r.outputs_matched for r in members),
            passed, percent(passed, len(members))))
    unsupported = [r for r in results if r.unsupported]
    lines += ["", "## Unsupported cases", ""]
    if unsupported:
        lines += ["Not counted above."] + [""] + ["- `%s`: %s" % (r.name, r.unsupported) for r in unsupported]
    else:
        lines.append("None.")
    lines += ["", "## Every case", "", "| case | status | main.sh | outputs | first problem |", "|---|---|---|---|---|"]
    for result in results:
        if result.unsupported:
            continue
        main_sh = "timeout" if result.timed_out else "exit %s" % result.returncode
        outputs = "%d/%d" % (sum(equal for _, equal, _ in result.compared), len(result.compared))
        lines.append("| `%s` | %s | %s | %s | %s |" % (result.name, result.status, main_sh, outputs, result.note()))
    if args.cases != ["*"]:
        lines += ["", "Only the cases matching %s ran." % " ".join("`%s`" % p for p in args.cases)]
    return "\n".join(lines) + "\n"


def percent(part, whole):
    return "%d%%" % round(100 * part / whole) if whole else "-"


if __name__ == "__main__":
    sys.exit(main())
