"""The running step's ``api.amend`` requests, each item sent once per process.

Kept apart from ``api`` so that every module that amends (the API, step-info files, the drivers)
can do so without importing the API module.
"""

import os

from . import _client
from .exceptions import AmendWhileHoldingError, InputNotFoundError
from .utils import to_str_list

__all__ = ("send_amend", "hold_depth", "enter_hold", "leave_hold", "forget")

# What this process has amended already: (kind, absolute path or variable name).
_amended = set()
# How many ``with hold():`` blocks are open in this process.
_holds = [0]


def send_amend(inp=(), out=(), vol=(), env=(), implicit_static=False):
    """Sends what was not amended before; raises InputNotFoundError when the director says an
    input is not built yet. Paths are relative to the current working directory."""
    if _holds[0] > 0 and to_str_list(inp):
        raise AmendWhileHoldingError(
            "amend() cannot add inputs while this step holds back its steps (inside `with hold():`): "
            "an input could be made by a held step. Amend the inputs before the hold() block."
        )
    cwd = os.getcwd()
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


def hold_depth():
    return _holds[0]


def enter_hold():
    _holds[0] += 1


def leave_hold():
    _holds[0] -= 1


def forget():
    """Forgets what was amended and held (for tests that act as several steps in one process)."""
    _amended.clear()
    _holds[0] = 0
