"""The launcher of Python steps: ``python3 -m stepup.core.pyrun SCRIPT [ARGS...]``.

A step run without a shell whose first word ends in ``.py`` (``run("./work.py ...")``,
``call("./work.py", ...)``, the boot step ``./plan.py``) is started through this launcher. It
checks that the script is executable and starts with ``#!/usr/bin/env python3``, runs it as
``__main__`` with ``sys.argv`` as if it had been started directly, and then amends the local
modules the script imported (``extapi.get_local_import_paths``) as inputs of the step, whether the
script succeeded or not. The exit code is the script's.
"""

import os
import runpy
import sys

from .api import amend
from .extapi import get_local_import_paths

__all__ = ("main", "check_script")

SHEBANG = b"#!/usr/bin/env python3"
# Bytes that occur in text files; a script with others is a binary and is not checked further.
_TEXT_BYTES = bytes({7, 8, 9, 10, 12, 13, 27} | set(range(0x20, 0x100)) - {0x7F})


def check_script(path):
    """None when ``path`` can run as a Python step, else the reason it cannot."""
    if not os.path.isfile(path):
        return "Script does not exist: %s" % path
    if not os.access(path, os.X_OK):
        return "File is not executable: %s" % path
    with open(path, "rb") as stream:
        head = stream.read(1024)
    if head.translate(None, _TEXT_BYTES):
        return None
    if not head.startswith(SHEBANG):
        return "Script does not start with the expected shebang (%s): %s" % (SHEBANG.decode(), path)
    return None


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        sys.stderr.write("usage: python3 -m stepup.core.pyrun SCRIPT [ARGS...]\n")
        return 2
    script = argv[0]
    problem = check_script(script)
    if problem is not None:
        sys.stderr.write(problem + "\n")
        return 1
    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(os.path.realpath(script))
    code = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, int) and exc.code is not None:
            sys.stderr.write("%s\n" % exc.code)
    finally:
        amend(inp=get_local_import_paths(script_path=script))
    return code


if __name__ == "__main__":
    sys.exit(main())
