"""Small helpers shared by the modules of ``stepup.core``."""

import os
import re
import shlex

__all__ = ("to_str_list", "path_str", "dir_str", "shq", "pattern_regex")


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


def dir_str(path):
    """A folder in StepUp's style: normalized, with a trailing slash (``./`` for the current one)."""
    path = os.path.normpath(path_str(path))
    if path == ".":
        return "./"
    return path.rstrip("/") + "/"


def shq(paths):
    """Paths shell-quoted where needed and joined by single spaces."""
    return " ".join(shlex.quote(path) for path in to_str_list(paths))


def pattern_regex(pattern):
    """A compiled regex for a glob pattern of paths.

    ``*`` and ``?`` do not cross a ``/``, ``**`` does, ``[...]`` is a character class.
    """
    parts = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                i += 2
                if pattern.startswith("/", i):
                    # "**/" matches zero or more folders.
                    parts.append("(?:.*/)?")
                    i += 1
                else:
                    parts.append(".*")
                continue
            parts.append("[^/]*")
        elif c == "?":
            parts.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern.startswith("[!", i) or pattern.startswith("[^", i) else i + 1)
            if end < 0:
                parts.append(re.escape(c))
            else:
                body = pattern[i + 1:end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                parts.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            parts.append(re.escape(c))
        i += 1
    return re.compile("^" + "".join(parts) + "$")
