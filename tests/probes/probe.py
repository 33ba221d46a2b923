#!/usr/bin/env python3
"""Robustness probes for StepUp.Sdk: what an attacker or an unlucky user does to a build.

Each probe runs real `dotnet build`s of temporary .stepproj projects against a freshly packed SDK
and counts what went wrong. Standard library only; run it on a quiet machine:

    python3 tests/probes/probe.py [--kills 20] [--build-kills 5] [--concurrent 10] [--malformed 10000]

It prints one line per probe and a summary table (Markdown) at the end. It is not part of the test
suite: it takes minutes and its kills are random by design.
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class Sandbox:
    """A packed SDK feed, a private NuGet folder and a private director folder."""

    def __init__(self, keep: bool):
        self.base = Path(tempfile.mkdtemp(prefix="stepup-probe-"))
        self.keep = keep
        self.version = "0.0.1-probe" + time.strftime("%Y%m%d%H%M%S") + str(random.randrange(10**6))
        self.feed = self.base / "feed"
        self.nuget = self.base / "nuget"
        self.director_dir = Path("/tmp") / ("spr-" + os.urandom(4).hex())
        self.env = dict(os.environ)
        self.env.update(
            {
                "NUGET_PACKAGES": str(self.nuget),
                "STEPUP_DIRECTOR_DIR": str(self.director_dir),
                "DOTNET_CLI_TELEMETRY_OPTOUT": "1",
                "DOTNET_NOLOGO": "1",
                "MSBUILDDISABLENODEREUSE": "1",
            }
        )
        self.env.pop("CI", None)
        self._projects = 0

    def pack(self):
        print(f"packing StepUp.Sdk {self.version} ...", flush=True)
        subprocess.run(
            ["dotnet", "pack", str(REPO / "sdk/StepUp.Sdk/StepUp.Sdk.csproj"), "-c", "Release",
             f"-p:Version={self.version}", "-o", str(self.feed), "-nr:false", "-tl:off", "-v:q"],
            check=True, stdout=subprocess.DEVNULL, env={k: v for k, v in os.environ.items() if k != "NUGET_PACKAGES"},
        )

    def project(self, items: str, name: str = "p") -> Path:
        self._projects += 1
        top = self.base / f"{name}{self._projects}"
        root = top / "proj"
        root.mkdir(parents=True)
        (top / "Directory.Build.props").write_text("<Project />\n")
        (top / "Directory.Build.targets").write_text("<Project />\n")
        (top / "nuget.config").write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n<configuration><packageSources><clear />'
            f'<add key="probe" value="{self.feed}" /></packageSources></configuration>\n'
        )
        write_project(root, self.version, items)
        return root

    def build(self, root: Path, *args, timeout=600):
        cmd = ["dotnet", "build", str(root / "main.stepproj"), "-tl:off", "-v:n", "-nr:false", *args]
        try:
            p = subprocess.run(cmd, cwd=root, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, timeout=timeout)
            return p.returncode, p.stdout
        except subprocess.TimeoutExpired as e:
            return None, (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")

    def start_build(self, root: Path, *args):
        cmd = ["dotnet", "build", str(root / "main.stepproj"), "-tl:off", "-v:n", "-nr:false", *args]
        return subprocess.Popen(cmd, cwd=root, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)

    def director_pids(self):
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            joined = b" ".join(cmdline)
            if b"StepUp.Director" in joined and str(self.director_dir).encode() in joined:
                found.append(int(entry.name))
        return found

    def socket_path(self):
        socks = sorted(self.director_dir.glob("*.sock"))
        return socks[0] if socks else None

    def shutdown(self):
        for pid in self.director_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if not self.keep:
            shutil.rmtree(self.base, ignore_errors=True)
            shutil.rmtree(self.director_dir, ignore_errors=True)


def write_project(root: Path, version: str, items: str):
    (root / "main.stepproj").write_text(f'<Project Sdk="StepUp.Sdk/{version}">\n  <ItemGroup>\n{items}  </ItemGroup>\n</Project>\n')


def xml(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def fanout_items(n: int, long_steps: int) -> str:
    lines = []
    for i in range(n):
        lines.append(f'    <Step Include="s{i}" Command="{xml(f"printf %s {i} > out/{i}.txt")}" Out="out/{i}.txt" />\n')
    for j in range(long_steps):
        cmd = f"printf 'A\\n' > long/{j}.txt; sleep 6; printf 'B\\n' >> long/{j}.txt"
        lines.append(f'    <Step Include="long{j}" Command="{xml(cmd)}" Out="long/{j}.txt" />\n')
    return "".join(lines)


def fanout_correct(root: Path, n: int, long_steps: int):
    bad = []
    for i in range(n):
        f = root / "out" / f"{i}.txt"
        if not f.exists() or f.read_text() != str(i):
            bad.append(str(f.relative_to(root)))
    for j in range(long_steps):
        f = root / "long" / f"{j}.txt"
        if not f.exists() or f.read_text() != "A\nB\n":
            bad.append(f"{f.relative_to(root)}={f.read_text()!r}" if f.exists() else str(f.relative_to(root)))
    return bad


def probe_director_kills(sb: Sandbox, kills: int, n: int):
    """Kill -9 the director at a random moment of a cold build, then build again: outputs must be right."""
    survived = 0
    details = []
    for k in range(kills):
        root = sb.project(fanout_items(n, long_steps=2), "kill")
        build = sb.start_build(root, "-p:StepUpJobs=4")
        delay = random.uniform(1.0, 10.0)
        deadline = time.time() + delay
        while time.time() < deadline and build.poll() is None:
            time.sleep(0.05)
        pids = sb.director_pids()
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        build.communicate(timeout=120)
        code, out = sb.build(root)
        bad = fanout_correct(root, n, 2)
        if code == 0 and not bad:
            # A third build must skip everything: the repaired graph is trusted again.
            code3, out3 = sb.build(root)
            ran = sum(1 for line in out3.splitlines() if "   START │" in line)
            if code3 == 0 and ran == 0:
                survived += 1
                continue
            details.append(f"kill {k}: third build exit {code3}, {ran} step(s) ran again")
        else:
            details.append(f"kill {k} after {delay:.1f} s (pids {pids}): exit {code}, wrong outputs {bad[:5]}")
    return survived, details


def probe_build_kills(sb: Sandbox, kills: int, n: int):
    survived = 0
    details = []
    for k in range(kills):
        root = sb.project(fanout_items(n, long_steps=1), "bkill")
        build = sb.start_build(root, "-p:StepUpJobs=4")
        time.sleep(random.uniform(1.0, 8.0))
        try:
            os.killpg(build.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        build.communicate(timeout=120)
        code, out = sb.build(root)
        bad = fanout_correct(root, n, 1)
        if code == 0 and not bad:
            survived += 1
        else:
            details.append(f"build kill {k}: exit {code}, wrong outputs {bad[:5]}")
    return survived, details


def probe_concurrent(sb: Sandbox, rounds: int, n: int):
    correct = 0
    details = []
    for r in range(rounds):
        root = sb.project(fanout_items(n, long_steps=0), "conc")
        a = sb.start_build(root)
        b = sb.start_build(root)
        out_a, _ = a.communicate(timeout=600)
        out_b, _ = b.communicate(timeout=600)
        bad = fanout_correct(root, n, 0)
        if a.returncode == 0 and b.returncode == 0 and not bad:
            correct += 1
        else:
            details.append(f"round {r}: exits {a.returncode}/{b.returncode}, wrong outputs {bad[:5]}")
    return correct, details


def malformed_frames(count: int):
    """Garbage a client could send, as (kind, bytes): bad lengths, bad JSON, deep nesting, huge prefixes, silence."""
    rng = random.Random(7)
    deep = b"[" * 250_000 + b"]" * 250_000
    framed = lambda body: struct.pack("<i", len(body)) + body
    shapes = [
        ("negative length", lambda: struct.pack("<i", -1)),
        ("512 MB prefix", lambda: struct.pack("<i", 512 * 1024 * 1024)),
        ("not JSON", lambda: struct.pack("<i", 5) + b"{{{{{"),
        ("500 KB nesting", lambda: framed(deep)),
        ("an array", lambda: framed(b"[]")),
        ("random bytes", lambda: bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))),
        ("protocol 999", lambda: framed(json.dumps({"type": "build", "protocol": 999}).encode())),
        ("no protocol", lambda: framed(json.dumps({"type": "api.step", "token": "x" * 64}).encode())),
        ("wrong types", lambda: framed(json.dumps({"type": 5, "root": ["a"]}).encode())),
        ("silence", lambda: b""),
    ]
    for i in range(count):
        # The deep one (500 KB) once in a thousand: enough to crash a recursive parser.
        kind, make = shapes[3] if i % 1000 == 3 else shapes[(i % (len(shapes) - 1) + 4) % len(shapes)]
        yield kind, make()


def rss_mb(pid: int) -> int:
    try:
        line = next(l for l in Path(f"/proc/{pid}/status").read_text().splitlines() if l.startswith("VmRSS:"))
        return int(line.split()[1]) // 1024
    except (OSError, StopIteration):
        return 0


def closed_by_peer(s: socket.socket, wait: float) -> bool:
    """True when the director has closed (or reset) the connection within `wait` seconds."""
    s.settimeout(wait)
    try:
        while s.recv(65536):
            pass
        return True
    except socket.timeout:
        return False
    except OSError:
        return True


def probe_malformed(sb: Sandbox, count: int):
    """Malformed frames on the director's socket: each must be answered or closed, and the director must live on.

    A connection that gets no answer at once is checked later (the director closes one that sends
    no whole request within its request timeout, 5 s), so that silence costs the probe no time.
    Every 1,000 frames a real build checks that the director still serves other clients. The setup
    build asks for a long keep-alive: malformed connections are, by design, no activity, so a
    director that sees nothing else ends after its idle timeout (10 minutes by default), which is
    not a crash.
    """
    root = sb.project(fanout_items(20, 0), "mal")
    code, _ = sb.build(root, "-p:StepUpDirectorIdleTimeout=120")
    pids_before = sb.director_pids()
    sock_path = sb.socket_path()
    if code != 0 or not sock_path:
        return 0, [f"setup build failed (exit {code}) or no socket"]
    rss_before = rss_mb(pids_before[0]) if pids_before else 0
    details = []
    answered = closed = connect_errors = left_open = builds_failed = 0
    recent = []
    pending = []  # (deadline, kind, socket): to be closed by the director by then
    first_error = None

    def settle(now_or_all):
        nonlocal closed, left_open
        while pending and (now_or_all is None or pending[0][0] <= now_or_all):
            deadline, kind, s = pending.pop(0)
            if closed_by_peer(s, max(0.0, deadline - time.time()) + 1.0):
                closed += 1
            else:
                left_open += 1
                if left_open <= 5:
                    details.append(f"a connection ({kind}) was still open {time.time() - deadline + 10:.0f} s after it connected")
            s.close()

    for i, (kind, frame) in enumerate(malformed_frames(count)):
        recent = (recent + [kind])[-10:]
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(5)
            s.connect(str(sock_path))
        except OSError as e:
            connect_errors += 1
            if first_error is None:
                first_error = f"frame {i} ({kind}): {e!r}; the kinds before it: {recent}"
            s.close()
            continue
        try:
            s.sendall(frame)
        except OSError:
            closed += 1  # the director refused the frame before all of it was sent
            s.close()
            continue
        if i % 100 == 0 or not frame:
            pending.append((time.time() + 10, kind, s))  # silent ones wait for nothing: checked later
        else:
            try:
                s.settimeout(0.5)
                got = s.recv(65536)
                if got:
                    answered += 1
                else:
                    closed += 1
                s.close()
            except socket.timeout:
                pending.append((time.time() + 10, kind, s))
            except OSError:
                closed += 1
                s.close()
        settle(time.time())
        if i % 1000 == 999:
            c, out = sb.build(root)
            if c != 0:
                builds_failed += 1
                details.append(f"the build after frame {i} failed (exit {c}): " + " | ".join(out.splitlines()[-5:]))
    settle(None)
    alive = sb.director_pids() == pids_before and bool(pids_before)
    rss_after = rss_mb(pids_before[0]) if alive else 0
    log_text = "\n".join(log.read_text(errors="replace") for log in sorted(sb.director_dir.glob("*.log*")))
    internal = log_text.count("request failed:") + log_text.count("director failed:")
    if internal:
        details.append(f"{internal} internal error(s) in the director log (a trace where a rejection belongs)")
    (root / "extra.txt").write_text("x")
    code2, out2 = sb.build(root)
    crashes = 0 if alive and code2 == 0 and not builds_failed and not connect_errors else 1
    print(f"  {count} frames: {answered} answered, {closed} closed by the director, {left_open} left open, "
          f"{connect_errors} connect errors, {builds_failed} builds in between failed; "
          f"director RSS {rss_before} MB before, {rss_after} MB after", flush=True)
    if crashes:
        details.append(f"director alive: {alive}; build after: exit {code2}; connect errors {connect_errors}")
        if first_error:
            details.append("first connect error at " + first_error)
        for log in sorted(sb.director_dir.glob("*.log")):
            lines = [l for l in log.read_text(errors="replace").splitlines() if "refused a request" not in l]
            details.append(f"{log.name}: " + " | ".join(lines[-8:]))
    if left_open:
        details.append(f"{left_open} connection(s) were neither answered nor closed within 10 s")
    return crashes, details


def probe_symlinks(sb: Sandbox):
    """Files outside the root or static files deleted or written: must be 0."""
    touched = []
    outside = sb.base / "outside"
    outside.mkdir()

    # 1. Output folder replaced by a symlink to outside, then the step removed.
    root = sb.project('    <Step Include="g" Command="echo x &gt; gen/x.txt" Out="gen/x.txt" />\n', "sym")
    sb.build(root)
    (outside / "x.txt").write_text("x\n")
    shutil.rmtree(root / "gen")
    (root / "gen").symlink_to(outside)
    write_project(root, sb.version, '    <Step Include="other" Command="echo y" />\n')
    sb.build(root)
    if not (outside / "x.txt").exists():
        touched.append("cleanup deleted outside/x.txt through a symlinked output folder")

    # 2. Volatile output through a symlinked folder.
    root = sb.project('    <Step Include="g" Command="echo x &gt; gen/v.txt" Vol="gen/v.txt" />\n', "symv")
    sb.build(root)
    (outside / "v.txt").write_text("other content\n")
    shutil.rmtree(root / "gen")
    (root / "gen").symlink_to(outside)
    write_project(root, sb.version, '    <Step Include="other" Command="echo y" />\n')
    sb.build(root)
    if not (outside / "v.txt").exists():
        touched.append("cleanup deleted outside/v.txt (volatile) through a symlinked folder")

    # 3. dotnet clean through a symlinked folder.
    root = sb.project('    <Step Include="g" Command="echo x &gt; gen/c.txt" Out="gen/c.txt" />\n', "symc")
    sb.build(root)
    (outside / "c.txt").write_text("x\n")
    shutil.rmtree(root / "gen")
    (root / "gen").symlink_to(outside)
    subprocess.run(["dotnet", "clean", str(root / "main.stepproj"), "-nr:false", "-v:q"], cwd=root, env=sb.env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    if not (outside / "c.txt").exists():
        touched.append("dotnet clean deleted outside/c.txt through a symlinked folder")

    # 4. A static file reached through an alias folder.
    root = sb.project(
        '    <Static Include="data/s.txt" />\n    <Step Include="w" Command="echo overwritten &gt; alias/s.txt" Out="alias/s.txt" />\n',
        "syms",
    )
    (root / "data").mkdir()
    (root / "data" / "s.txt").write_text("mine\n")
    (root / "alias").symlink_to(root / "data")
    sb.build(root)
    write_project(root, sb.version, '    <Static Include="data/s.txt" />\n')
    sb.build(root)
    if not (root / "data" / "s.txt").exists() or (root / "data" / "s.txt").read_text() != "mine\n":
        touched.append("a static file was overwritten or deleted through an alias folder")
    return touched


def probe_hangs(sb: Sandbox):
    """Builds that must end (with an error) instead of waiting forever on a broken file system."""
    hangs = []
    if os.geteuid() != 0:
        return ["(skipped: needs root to mount small file systems)"]
    for name in ("read-only .stepup", "read-only file system", "no free inodes"):
        root = sb.project('    <Step Include="a" Command="echo a &gt; a.txt" Out="a.txt" />\n', "hang")
        text = (root / "main.stepproj").read_text()
        target = root / ".stepup" if name == "read-only .stepup" else root
        target.mkdir(exist_ok=True)
        options = "size=8m,nr_inodes=400" if name == "no free inodes" else "size=8m"
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], check=True)
        try:
            if target == root:
                (root / "main.stepproj").write_text(text)
            first, out = sb.build(root, timeout=300)
            if first != 0:
                hangs.append(f"{name}: setup build failed (exit {first})")
                continue
            # Degrade the file system, then ask for new work.
            if name == "no free inodes":
                i = 0
                try:
                    while True:
                        (root / f"fill{i}").write_text("")
                        i += 1
                except OSError:
                    pass
            else:
                # The director keeps the database open for writing: a remount needs it gone.
                sb.build(root, "-t:StepUpShutdown", timeout=120)
                time.sleep(1)
                subprocess.run(["mount", "-o", "remount,ro", str(target)], check=True)
            if name != "read-only file system":
                write_project(root, sb.version, '    <Step Include="b" Command="echo b &gt; b.txt" Out="b.txt" />\n')
            code, out = sb.build(root, timeout=90)
            if code is None:
                hangs.append(f"{name}: the build did not end within 90 s")
            elif code == 0 and name != "read-only file system":
                hangs.append(f"{name}: the build claimed success")
        finally:
            subprocess.run(["umount", "-l", str(target)], check=False)
    return hangs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--build-kills", type=int, default=5)
    ap.add_argument("--concurrent", type=int, default=10)
    ap.add_argument("--malformed", type=int, default=10000)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--only", default="", help="comma-separated probe names: kills,buildkills,concurrent,malformed,symlinks,hangs")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    want = lambda name: not only or name in only

    sb = Sandbox(args.keep)
    rows = []
    try:
        sb.pack()
        if want("kills"):
            ok, details = probe_director_kills(sb, args.kills, args.steps)
            rows.append(("director kills survived with correct outputs", f"{ok} of {args.kills}", details))
            print(rows[-1][0], rows[-1][1], *details, sep="\n  ", flush=True)
        if want("buildkills"):
            ok, details = probe_build_kills(sb, args.build_kills, args.steps)
            rows.append(("build kills repaired", f"{ok} of {args.build_kills}", details))
            print(rows[-1][0], rows[-1][1], *details, sep="\n  ", flush=True)
        if want("concurrent"):
            ok, details = probe_concurrent(sb, args.concurrent, min(args.steps, 200))
            rows.append(("two builds of one project at once, correct", f"{ok} of {args.concurrent}", details))
            print(rows[-1][0], rows[-1][1], *details, sep="\n  ", flush=True)
        if want("malformed"):
            crashes, details = probe_malformed(sb, args.malformed)
            rows.append((f"malformed-message crashes ({args.malformed} messages)", str(crashes), details))
            print(rows[-1][0], rows[-1][1], *details, sep="\n  ", flush=True)
        if want("symlinks"):
            touched = probe_symlinks(sb)
            rows.append(("files outside the root or static files touched", str(len(touched)), touched))
            print(rows[-1][0], rows[-1][1], *touched, sep="\n  ", flush=True)
        if want("hangs"):
            hangs = probe_hangs(sb)
            rows.append(("hangs (read-only fs, no inodes)", str(len([h for h in hangs if "skipped" not in h])), hangs))
            print(rows[-1][0], rows[-1][1], *hangs, sep="\n  ", flush=True)
    finally:
        sb.shutdown()
    print("\n| probe | result |\n|---|---|")
    for name, result, _ in rows:
        print(f"| {name} | {result} |")


if __name__ == "__main__":
    main()
