"""Measuring: one command's wall time and rusage, and what /proc tells about other processes."""

import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path


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

    def short(self):
        """The wall time as the progress lines show it."""
        if self.timeout:
            return "timeout"
        if self.rc != 0:
            return "failed"
        return "%.3f" % self.wall


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
    """(exit code, stdout and stderr) of a command that is not measured; -1 when it could not run."""
    try:
        done = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout)
        return done.returncode, done.stdout.decode(errors="replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        return -1, str(e)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _pids():
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def _read_nul_list(path):
    try:
        with open(path, "rb") as fh:
            return fh.read().decode(errors="replace").split("\0")
    except OSError:
        return None


def find_processes(cmdline_has, option=None, environ_has=None):
    """Pids whose command line has an argument containing `cmdline_has`, and optionally the pair
    `option[0] option[1]` (a path, compared as a real path) or `environ_has` in the environment."""
    found = []
    want = os.path.realpath(option[1]) if option else None
    for pid in _pids():
        args = _read_nul_list("/proc/%d/cmdline" % pid)
        if not args or not any(cmdline_has in a for a in args):
            continue
        if option and not any(arg == option[0] and os.path.realpath(args[i + 1]) == want
                              for i, arg in enumerate(args[:-1])):
            continue
        if environ_has is not None:
            env = _read_nul_list("/proc/%d/environ" % pid)
            if not env or environ_has not in env:
                continue
        found.append(pid)
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
    """A `kB` field of /proc/<pid>/status (VmHWM: peak RSS, VmRSS: RSS now), or None."""
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


def reset_peak_rss(pid):
    """Restarts VmHWM from the current RSS (Linux >= 4.0), so that the next reading is the peak
    since now. False when the kernel or the permissions do not allow it."""
    if pid is None:
        return False
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def file_times(root, paths):
    """{path: mtime in ns, or None when missing}: compared before and after a build, it tells
    which outputs a tool wrote (for tools whose output does not say)."""
    times = {}
    for path in paths:
        try:
            times[path] = os.stat(os.path.join(root, path)).st_mtime_ns
        except OSError:
            times[path] = None
    return times


def count_rewritten(before, after):
    return sum(1 for path, t in after.items() if t is not None and t != before.get(path))


def db_size(state):
    """(graph.db + graph.db-wal as they are on disk, graph.db after a checkpoint of a copy) in bytes.

    The director keeps the database open in WAL mode, so most of the graph may still be in the
    -wal file; the checkpointed copy (made with Python's sqlite3) is the database's real size.
    """
    state = Path(state)
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


def time_shell_command(command, cwd, times=5):
    """Median wall time in ms of `/bin/sh -c command`, run by hand."""
    walls = []
    for _ in range(times):
        start = time.perf_counter()
        subprocess.run(["/bin/sh", "-c", command], cwd=str(cwd))
        walls.append(time.perf_counter() - start)
    return statistics.median(walls) * 1000


def load_average():
    try:
        with open("/proc/loadavg") as fh:
            return " ".join(fh.read().split()[:3])
    except OSError:
        return "?"
