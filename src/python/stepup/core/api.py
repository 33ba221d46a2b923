"""The API of a running step: define steps, declare static files, amend the step's dependencies.

Every function sends one request to the director that runs the current step (see
docs/step-api.md). Paths are sent as written, with ``cwd`` (the caller's working directory): the
director resolves them. The placeholders ``${inp}``, ``${out}`` and ``${vol}`` in a command are
expanded by the director.

Outside a build (no ``STEPUP_DIRECTOR_SOCKET``), each request is printed instead
(``stepup: would send ...``), so that a plan can be tried by hand.
"""

import glob as _glob
import os
import shlex

from . import _client
from .exceptions import InputNotFoundError, StepUpError
from .stepinfo import StepInfo
from .utils import path_str, shq, to_str_list

__all__ = (
    "StepUpError",
    "InputNotFoundError",
    "StepInfo",
    "GlobMatches",
    "static",
    "glob",
    "step",
    "runsh",
    "runpy",
    "copy",
    "script",
    "amend",
    "getenv",
    "graph",
    "getinfo",
    "get_info",
    "shq",
)

# What this process has amended already: (kind, absolute path or name). Not sent again.
_amended = set()


def _cwd():
    return os.getcwd()


def _resources(resources):
    if resources is None:
        return None
    if isinstance(resources, dict):
        return ",".join("%s:%s" % (name, units) for name, units in resources.items())
    if isinstance(resources, str):
        return resources
    return ",".join(to_str_list(resources))


def _step_info(answer, fallback):
    """A StepInfo from the director's answer; its workdir (root-relative) made cwd-relative."""
    data = dict(fallback)
    for key in ("command", "inp", "env", "out", "vol"):
        if answer.get(key) is not None:
            data[key] = answer[key]
    workdir = answer.get("workdir")
    if workdir is not None and not os.path.isabs(workdir):
        root = os.environ.get("STEPUP_ROOT") or _cwd()
        data["workdir"] = os.path.relpath(os.path.join(root, workdir), _cwd())
    return StepInfo.from_dict(data)


def static(*paths):
    """Declare static files (or folders, with a trailing ``/``: every file under them).

    Arguments are paths (str or os.PathLike) or iterables of paths, relative to the current
    working directory. Returns the list of declared paths as the director reports them.
    """
    paths = to_str_list(paths)
    if not paths:
        return []
    answer = _client.call({"type": "api.static", "cwd": _cwd(), "paths": paths})
    declared = answer.get("paths")
    return list(declared) if declared is not None else paths


class GlobMatches(list):
    """The sorted paths matched by ``glob()``; truthy when something matched."""

    def files(self):
        """The matches that are files."""
        return [path for path in self if os.path.isfile(path)]

    def dirs(self):
        """The matches that are folders."""
        return [path for path in self if os.path.isdir(path)]

    def single(self):
        """The only match (an error when there are none or several)."""
        if len(self) != 1:
            raise StepUpError("Expected exactly one match, found %d: %r" % (len(self), list(self)))
        return self[0]


def glob(*patterns, _required=False, _defer=False, **subs):
    """Match files relative to the current working directory; declares nothing.

    ``**`` matches any number of folders. A named wildcard ``${*name}`` matches the sub-pattern
    given as keyword argument ``name`` (default ``*``). Returns a sorted GlobMatches list.
    With ``_required=True`` no match is an error. (``_defer`` is accepted for compatibility.)
    """
    found = set()
    for pattern in to_str_list(patterns):
        for name, sub in subs.items():
            pattern = pattern.replace("${*%s}" % name, sub)
        while "${*" in pattern:
            start = pattern.index("${*")
            end = pattern.find("}", start)
            if end < 0:
                break
            pattern = pattern[:start] + "*" + pattern[end + 1:]
        for match in _glob.glob(pattern, recursive=True):
            if os.path.isdir(match) and not match.endswith("/"):
                match += "/"
            found.add(match)
    if _required and not found:
        raise StepUpError("No files match %s" % " ".join(to_str_list(patterns)))
    return GlobMatches(sorted(found))


def step(command, *, inp=(), out=(), vol=(), env=(), workdir=".", optional=False, planning=False,
         name=None, resources=None):
    """Define a step: ``command`` run by ``/bin/sh -c`` in ``workdir``.

    ``workdir`` is relative to the current working directory; ``inp``, ``out`` and ``vol`` (a path
    or a list of paths) are relative to ``workdir``; ``env`` names environment variables whose
    values the step depends on. Returns the StepInfo of the defined step as the director answers.
    """
    if not isinstance(command, str) or not command.strip():
        raise ValueError("A step needs a non-empty command.")
    request = {
        "type": "api.step",
        "cwd": _cwd(),
        "command": command,
        "workdir": path_str(workdir),
        "inp": to_str_list(inp),
        "out": to_str_list(out),
        "vol": to_str_list(vol),
        "env": to_str_list(env),
        "optional": bool(optional),
        "planning": bool(planning),
    }
    if name is not None:
        request["name"] = str(name)
    resources = _resources(resources)
    if resources:
        request["resources"] = resources
    answer = _client.call(request)
    return _step_info(answer, request)


def runsh(command, **kwargs):
    """Define a shell step (the same as ``step``)."""
    return step(command, **kwargs)


def _first_word(command):
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    # Leading VAR=value assignments are not the program.
    while words and "=" in words[0] and not words[0].startswith(("=", "/", ".")) \
            and words[0].split("=", 1)[0].isidentifier():
        words.pop(0)
    return words[0] if words else None


def runpy(command, **kwargs):
    """Define a step that runs a Python script: like ``step``, and when the first word of the
    command is a local path (such as ``./work.py``), that file is an input too."""
    word = _first_word(command)
    if word and "/" in word and not os.path.isabs(word):
        inp = to_str_list(kwargs.get("inp"))
        script_path = os.path.normpath(word)
        if script_path not in [os.path.normpath(path) for path in inp]:
            kwargs["inp"] = [script_path] + inp
    return step(command, **kwargs)


def copy(src, dst, *, optional=False, resources=None):
    """Define a step that copies ``src`` to ``dst`` (a ``dst`` ending in ``/`` is a folder)."""
    src = path_str(src)
    dst = path_str(dst)
    if dst.endswith("/"):
        dst = dst + os.path.basename(os.path.normpath(src))
    return step("cp -p ${inp} ${out}", inp=src, out=dst, optional=optional, resources=resources)


def script(executable, *, step_info=None, workdir=".", optional=False, inp=(), out=(), vol=(), env=(),
           resources=None):
    """Define the plan step of the script protocol: ``./executable plan`` in ``workdir``.

    ``optional=True`` adds ``--optional`` (the plan step itself always runs, its run steps are
    optional); ``step_info="f.json"`` adds ``--step-info=f.json`` and makes that file an output.
    ``executable`` is relative to ``workdir``.
    """
    request = {
        "type": "api.script",
        "cwd": _cwd(),
        "executable": path_str(executable),
        "workdir": path_str(workdir),
        "optional": bool(optional),
        "inp": to_str_list(inp),
        "out": to_str_list(out),
        "vol": to_str_list(vol),
        "env": to_str_list(env),
    }
    if step_info is not None:
        request["stepInfo"] = path_str(step_info)
    resources = _resources(resources)
    if resources:
        request["resources"] = resources
    answer = _client.call(request)
    return _step_info(answer, {"command": "./%s plan" % request["executable"], "workdir": request["workdir"]})


def _amend(inp=(), out=(), vol=(), env=(), implicit_static=False):
    cwd = _cwd()
    lists = {}
    new_keys = []
    for kind, value in (("inp", inp), ("out", out), ("vol", vol), ("env", env)):
        items = []
        for item in to_str_list(value):
            key = (kind, item if kind == "env" else os.path.normpath(os.path.join(cwd, item)))
            if key in _amended or key in new_keys:
                continue
            new_keys.append(key)
            items.append(item)
        lists[kind] = items
    if not new_keys:
        return True
    request = {"type": "api.amend", "cwd": cwd}
    request.update(lists)
    request["implicitStatic"] = bool(implicit_static)
    answer = _client.call(request)
    if answer.get("carryOn", True) is False:
        raise InputNotFoundError("Dynamic inputs are not available yet.")
    _amended.update(new_keys)
    return True


def amend(*, inp=(), out=(), vol=(), env=()):
    """Add inputs, outputs, volatile outputs or environment variables to the running step.

    Paths are relative to the current working directory. Returns True; raises
    InputNotFoundError when an amended input is not built yet (let it propagate: the director
    runs the step again once the input exists).
    """
    return _amend(inp, out, vol, env)


def getenv(name, default=None, *, path=False, back=False, multi=False):
    """``os.getenv`` that makes the variable a dependency of the running step.

    ``multi``: split the value on ``:`` into a list (unset: ``[]``). ``path``: normalize the value
    as a path. ``back``: the value is a path relative to STEPUP_ROOT; return it relative to the
    current working directory (implies ``path``).
    """
    amend(env=name)
    value = os.getenv(name, default)
    if multi:
        items = [] if value is None else [item for item in value.split(":") if item]
        return [_path_value(item, path, back) for item in items]
    if value is None:
        return None
    return _path_value(value, path, back)


def _path_value(value, path, back):
    if back:
        root = os.environ.get("STEPUP_ROOT") or _cwd()
        return os.path.relpath(os.path.join(root, value), _cwd())
    if path:
        return os.path.normpath(value)
    return value


def graph(prefix):
    """Ask the director to write ``<prefix>.txt``, ``<prefix>_provenance.dot`` and
    ``<prefix>_dependency.dot`` (relative to the current working directory)."""
    answer = _client.call({"type": "api.graph", "cwd": _cwd(), "prefix": path_str(prefix)})
    return list(answer.get("files") or [])


def getinfo():
    """The running step's own definition (without dynamic dependencies) as a StepInfo."""
    answer = _client.call({"type": "api.info"})
    return _step_info(answer, {"command": "", "workdir": "./"})


get_info = getinfo
