"""Small helpers shared by the modules of ``stepup.core``."""

import os
import re
import shlex

__all__ = ("to_str_list", "path_str", "workdir_str", "normpath_keep_affixes", "extract_env_overrides")


def path_str(path):
    """One path (str, bytes or os.PathLike) as a str, unchanged otherwise."""
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    return path


def to_str_list(value):
    """Paths or names as a flat list of str.

    ``value`` is None, a str, bytes, an os.PathLike or any (nested) iterable of those.
    A single str is one item, never a sequence of characters.
    """
    result = []
    _collect(value, result)
    return result


def _collect(value, result):
    if value is None:
        return
    if isinstance(value, (str, bytes)) or hasattr(value, "__fspath__"):
        result.append(path_str(value))
        return
    try:
        items = iter(value)
    except TypeError:
        raise TypeError("Expected a path, a name or a collection of them, got %r" % (value,)) from None
    for item in items:
        _collect(item, result)


def normpath_keep_affixes(path):
    """``os.path.normpath`` that keeps a leading ``./`` (a local executable) and a trailing ``/``
    (a folder), which StepUp gives a meaning."""
    path = path_str(path)
    trailing = "/" if path.endswith("/") else ""
    leading = "./" if path.rstrip("/").startswith("./") else ""
    norm = os.path.normpath(path) if path else path
    if leading and not norm.startswith(("/", "./")):
        norm = leading + norm
    if trailing and not norm.endswith("/"):
        norm += trailing
    return norm


def workdir_str(path):
    """A work directory as StepUp 4 gives it: normalized, without a trailing slash (``.`` for the current one)."""
    return os.path.normpath(path_str(path))


# A leading VAR=value word of a command; the value may be quoted as in a POSIX shell.
_ASSIGNMENT = re.compile(
    r"\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>(?:[^\s'\"\\]|\\.|'[^']*'|\"(?:[^\"\\]|\\.)*\")*)(?=\s|$)"
)


def extract_env_overrides(command):
    """Splits the leading ``VAR=value`` words off a command: ({name: value} or None, the rest).

    Only words before the program count (``./cmd X=1`` has none); the rest is returned unchanged.
    """
    overrides = {}
    position = 0
    while True:
        match = _ASSIGNMENT.match(command, position)
        if match is None:
            break
        try:
            words = shlex.split(match.group("value"))
        except ValueError:
            break
        overrides[match.group("name")] = words[0] if words else ""
        position = match.end()
    return (overrides or None), command[position:].lstrip()
