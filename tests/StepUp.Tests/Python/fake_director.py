"""A fake director for the tests of the Python client: serves the step API on a Unix socket in a
temporary folder, records every request and answers with canned replies."""

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import unittest
from unittest import mock

SRC_PYTHON = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "src", "python"))
TOKEN = "token-for-tests"

try:
    import stepup  # noqa: F401  (normally found through PYTHONPATH=src/python)
except ImportError:
    sys.path.insert(0, SRC_PYTHON)

STEPUP_VARS = ("STEPUP_DIRECTOR_SOCKET", "STEPUP_STEP_TOKEN", "STEPUP_ROOT", "STEPUP_STEP_KEY",
               "STEPUP_EXTERNAL_SOURCES", "STEPUP_PATH_FILTER", "STEPUP_STEP_NEED", "STEPUP_JOB_I",
               "STEPUP_MAX_OUTPUT_SIZE", "STEPUP_DEBUG", "HERE", "ROOT")


def clean_env(extra=None):
    """os.environ without the variables of a surrounding StepUp step, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if key not in STEPUP_VARS}
    env.update(extra or {})
    return env


class ClientTestCase(unittest.TestCase):
    """Runs each test in a fresh temporary working folder, without a surrounding step's variables."""

    def setUp(self):
        from stepup.core import _amend

        self.old_cwd = os.getcwd()
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix="stepup-py-"))
        os.chdir(self.tmp)
        patcher = mock.patch.dict(os.environ, clean_env(), clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)
        _amend.forget()
        self.addCleanup(_amend.forget)

    def tearDown(self):
        os.chdir(self.old_cwd)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def director(self, answer=None, root=None, folder=None):
        """A started fake director whose variables are set in os.environ for this test."""
        director = FakeDirector(answer, folder)
        director.__enter__()
        self.addCleanup(director.__exit__, None, None, None)
        os.environ.update(director.env(self.tmp if root is None else root))
        return director


class ScriptTestCase(ClientTestCase):
    """Writes files and runs scripts in a subprocess, with the fake director's variables."""

    pythonpath = None

    def write(self, path, text, executable=False):
        path = os.path.join(self.tmp, path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as stream:
            stream.write(textwrap.dedent(text))
        if executable:
            os.chmod(path, 0o755)
        return path

    def env(self, extra=None):
        env = dict(os.environ)
        env["PYTHONPATH"] = self.pythonpath or SRC_PYTHON
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.update(extra or {})
        return env

    def run_script(self, *args, script="work.py", cwd=None, extra_env=None, check=True):
        result = subprocess.run(
            [sys.executable, script] + list(args),
            cwd=cwd or self.tmp,
            env=self.env(extra_env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            self.fail("%s %s failed (%d):\n%s\n%s" % (script, args, result.returncode, result.stdout, result.stderr))
        return result

    def sh(self, command, cwd=None):
        """Runs a planned command the way the director does: /bin/sh -c in the workdir."""
        result = subprocess.run(
            ["/bin/sh", "-c", command],
            cwd=cwd or self.tmp,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            universal_newlines=True,
            timeout=120,
        )
        if result.returncode != 0:
            self.fail("%s failed (%d):\n%s\n%s" % (command, result.returncode, result.stdout, result.stderr))
        return result

    def read_json(self, path):
        with open(os.path.join(self.tmp, path)) as stream:
            return json.load(stream)


def default_answer(request):
    """A plausible ok answer for each request type."""
    kind = request.get("type")
    if kind == "api.amend":
        return {"type": "ok", "carryOn": True}
    if kind == "api.static":
        return {"type": "ok", "paths": list(request.get("paths", []))}
    if kind in ("api.step", "api.script"):
        command = request.get("command") or "./%s plan" % request.get("executable")
        return {
            "type": "ok",
            "key": request.get("name") or command,
            "label": command,
            "command": command,
            "workdir": "./",
            "inp": request.get("inp", []),
            "out": request.get("out", []),
            "vol": request.get("vol", []),
            "env": request.get("env", []),
        }
    if kind == "api.info":
        return {"type": "ok", "command": "./me", "workdir": "./", "inp": ["a"], "out": ["b"], "vol": [], "env": []}
    if kind in ("api.glob", "api.hold", "api.release", "api.record"):
        return {"type": "ok"}
    if kind == "api.graph":
        prefix = request.get("prefix")
        return {"type": "ok", "files": [prefix + ".txt", prefix + "_provenance.dot", prefix + "_dependency.dot"]}
    return {"type": "error", "message": "unknown request type %r" % kind}


def _receive(conn, size):
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError("closed")
        data += chunk
    return data


class FakeDirector:
    """Use as a context manager. ``answer(request) -> dict`` makes the replies."""

    def __init__(self, answer=None, folder=None):
        self.answer = answer or default_answer
        self.requests = []
        self.frames = []
        self._folder = folder or tempfile.mkdtemp(prefix="stepup-fake-")
        self.socket_path = os.path.join(self._folder, "director")
        self._stop = threading.Event()
        self._listener = None
        self._thread = None

    def env(self, root=None):
        """The environment variables of a step of this director."""
        env = {"STEPUP_DIRECTOR_SOCKET": self.socket_path, "STEPUP_STEP_TOKEN": TOKEN}
        if root is not None:
            env["STEPUP_ROOT"] = root
        return env

    def __enter__(self):
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if len(os.fsencode(self.socket_path)) < 100:
            self._listener.bind(self.socket_path)
        else:
            fd = os.open(self._folder, os.O_RDONLY)
            try:
                self._listener.bind("/proc/self/fd/%d/director" % fd)
            finally:
                os.close(fd)
        self._listener.listen(8)
        self._listener.settimeout(0.1)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join(10)
        self._listener.close()
        shutil.rmtree(self._folder, ignore_errors=True)

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                try:
                    header = _receive(conn, 4)
                    (size,) = struct.unpack("<I", header)
                    payload = _receive(conn, size)
                except (EOFError, OSError):
                    continue
                self.frames.append(header + payload)
                request = json.loads(payload.decode("utf-8"))
                self.requests.append(request)
                if request.get("protocol") != 1:
                    reply = {"type": "rejected", "reason": "protocol %r is not supported" % request.get("protocol")}
                elif request.get("token") != TOKEN:
                    reply = {"type": "error", "message": "no live step has this token"}
                else:
                    reply = self.answer(request)
                body = json.dumps(reply).encode("utf-8")
                try:
                    conn.sendall(struct.pack("<I", len(body)) + body)
                except OSError:
                    pass

    def of_type(self, kind):
        """The recorded requests of one type, without protocol and token."""
        result = []
        for request in self.requests:
            if request.get("type") == kind:
                request = dict(request)
                request.pop("protocol", None)
                request.pop("token", None)
                result.append(request)
        return result
