"""StepUp.Sdk under test: packed from this repository, built with `dotnet build`, and its director.

Everything is private to one run: the feed, the NuGet package folder, the director folder and
the MSBuild server (through its own handshake salt).
"""

import os
import re
import secrets
import signal
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

from .common import JOBS, REPO, SDK_PROJECT, log, rmtree
from .measure import find_processes, proc_status_kb, run_measured

# Environment variables that change how a build behaves and are removed for StepUp builds.
REMOVED_ENV = ("CI", "TF_BUILD", "GITHUB_ACTIONS", "DOTNET_CLI_USE_MSBUILD_SERVER")

BUILD_LINE = re.compile(r"build: StepUp: (\d+) ran, (\d+) skipped, (\d+) failed, (\d+) removed(?:, \d+ not run)?(?: \(build \d+\))?(?:; report: .*?)? in (\d+) ms"
                        r"(?: \((.*)\))?")
REPORT_LINE = re.compile(r"report: (?:written in (\d+) ms|not written)")


class Sdk:
    def __init__(self, tmp, notes, feed=None):
        self.tmp = Path(tmp)
        self.notes = notes  # .problem(message), .warn(message)
        self.director_dir = "/tmp/sb-" + secrets.token_hex(4)
        self.nuget = self.tmp / "nuget"
        if feed:
            self.feed = Path(feed).resolve()
            self.version = self._version_in(self.feed)
        else:
            self.feed = self.tmp / "feed"
            self.version = "0.0.1-bench" + time.strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)
        self.server_salt = "stepup-bench-" + secrets.token_hex(4)
        self.pack_seconds = None
        self.primes = []        # director start + a one-step build, in seconds
        self.prime_root = None
        self.start_rss_kb = []  # the director's RSS right after each start
        self.env = self._env()

    @staticmethod
    def _version_in(feed):
        packages = sorted(feed.glob("StepUp.Sdk.*.nupkg"), key=lambda p: p.stat().st_mtime)
        if not packages:
            raise SystemExit("no StepUp.Sdk.*.nupkg in %s" % feed)
        return packages[-1].name[len("StepUp.Sdk."):-len(".nupkg")]

    def _env(self):
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

    def server_env(self):
        """The environment of a build through the MSBuild server: one server of our own."""
        env = dict(self.env)
        env["DOTNET_CLI_USE_MSBUILD_SERVER"] = "1"
        env["MSBUILDNODEHANDSHAKESALT"] = self.server_salt
        return env

    # -- the package -------------------------------------------------------------------------

    def pack(self):
        """Packs the SDK into the feed (unless a feed was given) and writes the workflows' setup."""
        if not (self.feed / ("StepUp.Sdk.%s.nupkg" % self.version)).exists():
            log("packing StepUp.Sdk %s into %s ..." % (self.version, self.feed))
            env = dict(self.env)
            del env["NUGET_PACKAGES"]  # the product's own dependencies come from the usual NuGet setup
            del env["STEPUP_DIRECTOR_DIR"]
            start = time.perf_counter()
            result = run_measured(["dotnet", "pack", str(SDK_PROJECT), "-c", "Release", "-p:Version=" + self.version,
                                   "-o", str(self.feed), "-nr:false", "-tl:off", "-v:m",
                                   "-p:UseSharedCompilation=false"],
                                  REPO, env, self.tmp / "pack.log", 1800)
            self.pack_seconds = time.perf_counter() - start
            if not result.ok():
                self.notes.problem("dotnet pack failed (exit %s%s):\n%s"
                                   % (result.rc, ", timeout" if result.timeout else "", result.tail()))
                return False
            log("packed in %.1f s" % self.pack_seconds)
        else:
            log("using StepUp.Sdk %s from %s" % (self.version, self.feed))
        # Nothing above the workflows may change the builds: no Directory.Build.*, only our feed.
        for name in ("Directory.Build.props", "Directory.Build.targets"):
            (self.tmp / name).write_text("<Project />\n")
        (self.tmp / "nuget.config").write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <packageSources>\n    <clear />\n'
            '    <add key="stepup-bench" value=%s />\n  </packageSources>\n</configuration>\n'
            % quoteattr(str(self.feed)))
        return True

    def package_dir(self):
        """The SDK as NuGet extracted it (after the first restore)."""
        return self.nuget / "stepup.sdk" / self.version.lower()

    def package_text(self, *relative):
        """The text of the package's files under these folders (for feature probes)."""
        texts = []
        for folder in relative:
            for path in sorted((self.package_dir() / folder).rglob("*")):
                if path.is_file() and (path.suffix in (".props", ".targets") or
                                       (path.suffix == ".dll" and path.name.startswith("StepUp."))):
                    texts.append(path.read_bytes().decode("latin-1"))
        return "\n".join(texts)

    def stepup_command(self):
        """The `stepup` command line client of the package."""
        path = self.package_dir() / "tools" / "bin" / "stepup"
        if path.exists():
            path.chmod(path.stat().st_mode | 0o111)  # NuGet does not keep file modes
        return path

    # -- dotnet commands ---------------------------------------------------------------------

    def build_argv(self, root, extra=(), node_reuse=False):
        argv = ["dotnet", "build", str(Path(root) / "bench.stepproj")]
        if not node_reuse:
            argv.append("-nr:false")
        return argv + ["-tl:off", "-v:q", "--no-restore", "-p:StepUpJobs=%d" % JOBS,
                       "-p:StepUpDirectorIdleTimeout=60"] + list(extra)

    def restore(self, root, n):
        result = run_measured(["dotnet", "restore", str(Path(root) / "bench.stepproj"), "-nr:false", "-tl:off",
                               "-v:q"], root, self.env, Path(root).parent / (Path(root).name + "-restore.log"),
                              600 + n * 0.01)
        if not result.ok():
            self.notes.problem("dotnet restore of %s failed (exit %s%s):\n%s"
                               % (root, result.rc, ", timeout" if result.timeout else "", result.tail()))
        return result.ok()

    # -- the director ------------------------------------------------------------------------

    def directors(self):
        """Pids of our director: `StepUp.Director` with `--dir <our folder>`."""
        return find_processes("StepUp.Director", option=("--dir", self.director_dir))

    def director(self):
        pids = self.directors()
        return pids[0] if len(pids) == 1 else None

    def shutdown_director(self):
        if not self.directors():
            return
        if self.prime_root is not None and self.prime_root.exists():
            try:
                run_measured(self.build_argv(self.prime_root, ["-t:StepUpShutdown"]), self.prime_root,
                             self.env, self.tmp / "shutdown.log", 120)
            except OSError as e:
                self.notes.warn("dotnet build -t:StepUpShutdown could not run: %s" % e)
        deadline = time.time() + 15
        while self.directors() and time.time() < deadline:
            time.sleep(0.1)
        left = self.directors()
        if left:
            self.notes.warn("the director did not stop after StepUpShutdown; sending SIGTERM to %s" % left)
            for pid in left:
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            time.sleep(2)

    def ensure_prime(self, write_template):
        """The one-step project that starts each director; its restore extracts the package."""
        if self.prime_root is None:
            self.prime_root = self.tmp / "w" / "prime"
            write_template(self.prime_root)
            if not self.restore(self.prime_root, 1):
                rmtree(self.prime_root)
                self.prime_root = None
                return False
        return True

    def start_director(self, write_template):
        """Starts a fresh director with a one-step cold build (timed: director start included)."""
        if not self.ensure_prime(write_template):
            return None
        for name in ("out", ".stepup", "bin"):
            rmtree(self.prime_root / name)
        result = run_measured(self.build_argv(self.prime_root), self.prime_root, self.env,
                              self.tmp / "prime.log", 300)
        if not result.ok():
            self.notes.problem("the first build with a new director failed (exit %s%s):\n%s"
                               % (result.rc, ", timeout" if result.timeout else "", result.tail()))
            return None
        pids = self.directors()
        if len(pids) != 1:
            self.notes.problem("expected one director for %s, found %s" % (self.director_dir, pids))
            return None
        self.primes.append(result.wall)
        self.start_rss_kb.append(proc_status_kb(pids[0], "VmRSS"))
        return pids[0]

    def stop_msbuild_servers(self):
        """Ends the MSBuild server and nodes that our builds started (found by our handshake salt)."""
        for pid in find_processes("nodemode:", environ_has="MSBUILDNODEHANDSHAKESALT=" + self.server_salt):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    # -- what the director logs --------------------------------------------------------------

    @staticmethod
    def wait_for_report(root, timeout=120):
        """Waits until the report of every build logged in <root>/.stepup/director.log is written
        (the director writes it after the build has answered, and the next build of the project
        waits for it: a phase measured before it is done would count the previous build's report);
        returns the last report's `written in N ms`, or None."""
        path = Path(root) / ".stepup" / "director.log"
        deadline = time.time() + timeout
        while True:
            try:
                text = path.read_text(errors="replace")
            except OSError:
                return None
            builds = len(BUILD_LINE.findall(text))
            reports = REPORT_LINE.findall(text)
            if len(reports) >= builds or time.time() > deadline:
                return int(reports[-1]) if reports and reports[-1] else None
            time.sleep(0.02)

    @staticmethod
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

    def _director_log_lines(self):
        for path in Path(self.director_dir).glob("d-*.log"):
            try:
                yield from path.read_text(errors="replace").splitlines()
            except OSError:
                pass

    def last_request_ms(self, root):
        """The director's own log: `build <root>: ok in X ms` (from request to answer)."""
        best = None
        pattern = re.compile(r"build %s: \w+ in ([0-9.]+) ms" % re.escape(str(root)))
        for line in self._director_log_lines():
            match = pattern.search(line)
            if match:
                best = float(match.group(1))
        return best

    def wait_released(self, roots, timeout):
        """Waits until the director has released the graphs of these project roots (it does so
        after they have been idle for a while); True when it did within the timeout."""
        want = {"released the graph of %s (idle)" % root for root in roots}
        deadline = time.time() + timeout
        while time.time() < deadline:
            seen = {line[line.index("released the graph of "):] for line in self._director_log_lines()
                    if "released the graph of " in line}
            if want <= seen:
                return True
            if self.director() is None:
                return False
            time.sleep(1)
        return False
