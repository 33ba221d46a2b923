"""The wire protocol of the director's step API (see docs/step-api.md of StepUp.Sdk).

One request and one answer per connection over the Unix socket named by
``STEPUP_DIRECTOR_SOCKET``. Each message is a 4-byte little-endian length followed by that many
bytes of UTF-8 JSON (an object). Every request carries ``"protocol": 1`` and the ``"token"`` from
``STEPUP_STEP_TOKEN``.

Without ``STEPUP_DIRECTOR_SOCKET`` (a script run by hand), a request is printed as
``stepup: would send <type> <json>`` and a plausible answer is made up, so that a plan can be tried
outside a build.
"""

import json
import os
import shlex
import socket
import struct
import sys

from . import rpc
from .exceptions import StepUpError

__all__ = ("PROTOCOL", "call", "connected")

PROTOCOL = 1
ENV_SOCKET = "STEPUP_DIRECTOR_SOCKET"
ENV_TOKEN = "STEPUP_STEP_TOKEN"
ENV_EXECUTOR = "STEPUP_EXECUTOR"
MAX_FRAME = 512 * 1024 * 1024


def connected():
    """True when the current process runs as a step of a director."""
    return bool(os.environ.get(ENV_SOCKET))


def call(request, advisory=False):
    """Send one request (a dict with a ``type``) and return the director's ``ok`` answer.

    Raises StepUpError when the director answers ``error`` or ``rejected``, or cannot be reached.
    An ``advisory`` request (one that only registers something with the director) that the
    director does not know yet answers ``{"type": "ok", "unknown": True}`` instead.
    """
    if "type" not in request:
        raise ValueError("A request needs a type.")
    socket_path = os.environ.get(ENV_SOCKET)
    if not socket_path and os.environ.get(ENV_EXECUTOR) == "slurm":
        raise StepUpError(
            "STEPUP0506: StepUp's step API works only in local steps, and this step runs as a Slurm job, "
            'where the StepUp director cannot be reached: give the step Executor="local".'
        )
    if not socket_path:
        return _dry_run(request)
    message = dict(request)
    message["protocol"] = PROTOCOL
    message["token"] = os.environ.get(ENV_TOKEN, "")
    answer = _exchange(socket_path, message)
    kind = answer.get("type")
    if kind == "ok":
        return answer
    if kind == "error" and advisory and str(answer.get("message", "")).startswith("unknown call"):
        return {"type": "ok", "unknown": True}
    if kind == "error":
        rpc.raise_refusal(request["type"], answer)
    if kind == "rejected":
        raise StepUpError("The director rejected %s: %s" % (request["type"], answer.get("reason") or "no reason given"))
    raise StepUpError("Unexpected answer from the director to %s: %r" % (request["type"], answer))


def _exchange(socket_path, message):
    payload = json.dumps(message, ensure_ascii=False).encode("utf-8")
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except (AttributeError, OSError) as exc:
        raise StepUpError("Cannot open a Unix socket: %s" % exc) from exc
    with sock:
        try:
            _connect(sock, socket_path)
        except OSError as exc:
            raise StepUpError("Cannot reach the StepUp director at %s: %s" % (socket_path, exc)) from exc
        try:
            sock.sendall(struct.pack("<I", len(payload)) + payload)
            header = _receive(sock, 4)
            (size,) = struct.unpack("<I", header)
            if size > MAX_FRAME:
                raise StepUpError("The director sent a frame of %d bytes." % size)
            body = _receive(sock, size)
        except OSError as exc:
            raise StepUpError("Lost the connection to the StepUp director: %s" % exc) from exc
    try:
        answer = json.loads(body.decode("utf-8"))
    except ValueError as exc:
        raise StepUpError("The director sent an answer that is not JSON: %s" % exc) from exc
    if not isinstance(answer, dict):
        raise StepUpError("The director sent an answer that is not a JSON object.")
    return answer


def _connect(sock, socket_path):
    """Connect, also when the path is longer than a socket address may be (about 107 bytes):
    on Linux, through /proc/self/fd and a descriptor of the socket's folder."""
    if len(os.fsencode(socket_path)) < 100 or not os.path.isdir("/proc/self/fd"):
        sock.connect(socket_path)
        return
    folder, name = os.path.split(os.path.abspath(socket_path))
    fd = os.open(folder, getattr(os, "O_PATH", os.O_RDONLY) | getattr(os, "O_DIRECTORY", 0))
    try:
        sock.connect("/proc/self/fd/%d/%s" % (fd, name))
    finally:
        os.close(fd)


def _receive(sock, size):
    chunks = []
    remaining = size
    while remaining > 0:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise StepUpError("The director closed the connection before answering.")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


# Without a director: print the request, make up an answer.


def _dry_run(request):
    body = {key: value for key, value in request.items() if key != "type"}
    sys.stdout.write("stepup: would send %s %s\n" % (request["type"], json.dumps(body, ensure_ascii=False)))
    sys.stdout.flush()
    make = _FAKE_ANSWERS.get(request["type"])
    answer = {"type": "ok"}
    if make is not None:
        answer.update(make(request))
    return answer


def _root_relative(request):
    """The request's workdir relative to STEPUP_ROOT, in StepUp's style (``./``, ``sub/``)."""
    root = os.environ.get("STEPUP_ROOT") or os.getcwd()
    cwd = request.get("cwd") or os.getcwd()
    workdir = os.path.normpath(os.path.relpath(os.path.join(cwd, request.get("workdir") or "."), root))
    return "./" if workdir == "." else workdir + "/"


def _label(command, workdir):
    if workdir == "./":
        return command
    return "%s  # wd=%s" % (command, workdir)


def _expand(command, fields):
    for name in ("inp", "out", "vol"):
        command = command.replace("${%s}" % name, " ".join(shlex.quote(p) for p in fields.get(name, [])))
    return command


def _fake_step(request):
    fields = {name: list(request.get(name) or []) for name in ("inp", "out", "vol", "env")}
    command = request.get("command", "")
    if request.get("placeholders", True):
        command = _expand(command, fields)
    workdir = _root_relative(request)
    label = _label(command, workdir)
    answer = {"key": request.get("name") or label, "label": label, "command": command, "workdir": workdir}
    answer.update(fields)
    return answer


def _fake_script(request):
    executable = request.get("executable", "")
    if "/" not in executable:
        executable = "./" + executable
    command = executable + " plan"
    if request.get("optional"):
        command += " --optional"
    out = list(request.get("out") or [])
    if request.get("stepInfo"):
        command += " --step-info=" + shlex.quote(request["stepInfo"])
        out.append(request["stepInfo"])
    workdir = _root_relative(request)
    label = _label(command, workdir)
    return {
        "key": label,
        "label": label,
        "command": command,
        "workdir": workdir,
        "inp": [request.get("executable", "")] + list(request.get("inp") or []),
        "out": out,
        "vol": list(request.get("vol") or []),
        "env": list(request.get("env") or []),
    }


def _fake_graph(request):
    prefix = request.get("prefix", "graph")
    return {"files": [prefix + ".txt", prefix + "_provenance.dot", prefix + "_dependency.dot"]}


_FAKE_ANSWERS = {
    "api.step": _fake_step,
    "api.script": _fake_script,
    "api.static": lambda request: {"paths": list(request.get("paths") or [])},
    "api.amend": lambda request: {"carryOn": True},
    "api.info": lambda request: {"command": "", "workdir": "./", "inp": [], "out": [], "vol": [], "env": []},
    "api.graph": _fake_graph,
    "api.glob": lambda request: {},
    "api.hold": lambda request: {},
    "api.release": lambda request: {},
    "api.record": lambda request: {},
}
