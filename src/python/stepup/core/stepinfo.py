"""StepInfo: what defines a step (command, workdir, inputs, environment variables, outputs).

A step-info file is JSON: one object, or a list of objects, with the keys ``command``,
``workdir``, ``inp``, ``env``, ``out`` and ``vol``. ``inp``, ``out`` and ``vol`` are relative to
the step's ``workdir``. In a file, ``workdir`` is relative to the folder of the file; in a
StepInfo object in memory, it is relative to the current working directory (``load_step_info``
and ``dump_step_info`` translate).
"""

import json
import os

from . import _amend
from .nglob import NamedGlob
from .utils import path_str, to_str_list, workdir_str

__all__ = ("StepInfo", "load_step_info", "dump_step_info")

FIELDS = ("command", "workdir", "inp", "env", "out", "vol")


class StepInfo:
    """The definition of one step (without its dynamic dependencies)."""

    def __init__(self, command, workdir=".", inp=(), env=(), out=(), vol=()):
        self.command = command
        self.workdir = workdir_str(workdir)
        self.inp = to_str_list(inp)
        self.env = to_str_list(env)
        self.out = to_str_list(out)
        self.vol = to_str_list(vol)

    def to_dict(self):
        """A JSON-ready dict with the keys command, workdir, inp, env, out, vol."""
        return {
            "command": self.command,
            "workdir": self.workdir,
            "inp": list(self.inp),
            "env": list(self.env),
            "out": list(self.out),
            "vol": list(self.vol),
        }

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict):
            raise TypeError("A step info must be a JSON object, got %r" % (data,))
        if "command" not in data:
            raise ValueError("A step info needs a command: %r" % (data,))
        return cls(
            data["command"],
            data.get("workdir") or ".",
            data.get("inp") or (),
            data.get("env") or (),
            data.get("out") or (),
            data.get("vol") or (),
        )

    def filter_inp(self, pattern, **subs):
        """The inputs that match a pattern (see ``glob()``), as a NamedGlob."""
        return NamedGlob(path_str(pattern), subs).extend(self.inp)

    def filter_out(self, pattern, **subs):
        """The outputs that match a pattern, as a NamedGlob."""
        return NamedGlob(path_str(pattern), subs).extend(self.out)

    def filter_vol(self, pattern, **subs):
        """The volatile outputs that match a pattern, as a NamedGlob."""
        return NamedGlob(path_str(pattern), subs).extend(self.vol)

    def __eq__(self, other):
        if not isinstance(other, StepInfo):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None

    def __repr__(self):
        return "StepInfo(%s)" % ", ".join("%s=%r" % (key, value) for key, value in self.to_dict().items())


def _move_workdir(workdir, old_base, new_base):
    """A workdir relative to old_base, made relative to new_base (both absolute)."""
    if os.path.isabs(workdir):
        return workdir_str(workdir)
    return workdir_str(os.path.relpath(os.path.join(old_base, workdir), new_base))


def load_step_info(path, do_amend=True):
    """Read a step-info file: a StepInfo, or a list of them when the file holds a list.

    The workdirs are translated to be relative to the current working directory.
    With ``do_amend`` (the default) the file is first amended as an input of the running step.
    """
    path = path_str(path)
    if do_amend:
        _amend.send_amend(inp=path)
    with open(path, encoding="utf-8") as stream:
        data = json.load(stream)
    base = os.path.dirname(os.path.abspath(path))
    cwd = os.getcwd()

    def load_one(item):
        info = StepInfo.from_dict(item)
        info.workdir = _move_workdir(info.workdir, base, cwd)
        return info

    if isinstance(data, list):
        return [load_one(item) for item in data]
    return load_one(data)


def dump_step_info(path, infos):
    """Write a StepInfo or a list of them as JSON (workdirs relative to the file's folder)."""
    path = path_str(path)
    base = os.path.dirname(os.path.abspath(path))
    cwd = os.getcwd()

    def dump_one(info):
        data = info.to_dict() if isinstance(info, StepInfo) else StepInfo.from_dict(info).to_dict()
        data["workdir"] = _move_workdir(data["workdir"], cwd, base)
        return data

    if isinstance(infos, (StepInfo, dict)):
        data = dump_one(infos)
    else:
        data = [dump_one(info) for info in infos]
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=2)
        stream.write("\n")
