"""Utilities for authors of StepUp extensions (StepUp Core 4's ``stepup.core.extapi``).

``filter_dependencies`` and ``get_local_import_paths`` select the files a step should depend on;
``run_subprocess`` and ``record_subprocess`` keep a record of the commands a step runs itself.
"""

import hashlib
import os
import shlex
import subprocess
import sys

from . import _client
from .api import getenv
from .exceptions import StepUpError
from .utils import extract_env_overrides, to_str_list

__all__ = (
    "DEFAULT_PATH_FILTER",
    "filter_dependencies",
    "get_local_import_paths",
    "record_subprocess",
    "run_subprocess",
)

DEFAULT_PATH_FILTER = "-.venv:-venv:-.tox:-.nox:-.direnv:-.pixi:-node_modules"
"""Without ``STEPUP_PATH_FILTER``: leave out the folders where tools install dependencies."""


def filter_dependencies(paths):
    """The paths (relative to the working directory) that ``STEPUP_PATH_FILTER`` keeps, as a set.

    The filter is a ``:``-separated list of ``+PREFIX`` (keep) and ``-PREFIX`` (leave out) rules,
    followed by ``+.`` and ``-/``: the first rule whose prefix (a plain string prefix of the
    resolved absolute path; relative prefixes are relative to STEPUP_ROOT) matches decides. So
    by default files under the project root are kept and all others left out. Reading the filter
    makes ``STEPUP_PATH_FILTER`` an environment dependency of the running step.
    """
    text = getenv("STEPUP_PATH_FILTER", DEFAULT_PATH_FILTER) + ":+.:-/"
    root = os.path.abspath(os.environ.get("STEPUP_ROOT") or os.getcwd())
    rules = []
    for item in text.split(":"):
        if not item:
            continue
        if item[0] not in "+-":
            raise StepUpError("Invalid item in STEPUP_PATH_FILTER: %r (it must start with + or -)" % item)
        prefix = item[1:]
        if not os.path.isabs(prefix):
            prefix = os.path.realpath(os.path.join(root, prefix))
        rules.append((prefix, item[0] == "+"))
    cwd = os.path.realpath(os.getcwd())
    kept = set()
    for path in to_str_list(paths):
        real = os.path.realpath(path)
        for prefix, keep in rules:
            if real.startswith(prefix):
                if keep:
                    kept.add(os.path.relpath(real, cwd))
                break
    return kept


def get_local_import_paths(script_path=None):
    """The files of the imported modules that ``filter_dependencies`` keeps, sorted, relative to
    the working directory; ``script_path`` (the running script, an input already) left out."""
    files = []
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and not file.startswith("<") and os.path.isfile(file):
            files.append(os.path.normpath(file))
    kept = filter_dependencies(files)
    if script_path is not None:
        kept.discard(os.path.relpath(os.path.realpath(script_path), os.path.realpath(os.getcwd())))
    return sorted(kept)


def record_subprocess(cmd, returncode, *, workdir=".", env_overrides=None, shell=False, stdin=None, stdout=None,
                      stderr=None):
    """Records a command that the running step ran itself (for the archive of the build).

    ``cmd`` is the shell-quoted command line, ``workdir`` relative to the working directory,
    ``env_overrides`` the variables the caller set on top of its environment. Streams given as
    bytes are recorded as their size and digest. Outside a build this does nothing.
    """
    request = {
        "type": "api.record",
        "cwd": os.getcwd(),
        "command": str(cmd),
        "returncode": int(returncode),
        "workdir": os.fspath(workdir),
        "shell": bool(shell),
        "stdin": _recorded_stream(stdin),
        "stdout": _recorded_stream(stdout),
        "stderr": _recorded_stream(stderr),
    }
    if env_overrides:
        request["envOverrides"] = {str(k): str(v) for k, v in env_overrides.items()}
    if not _client.connected():
        return
    _client.call(request, advisory=True)


def _recorded_stream(stream):
    if stream is None:
        return ""
    if isinstance(stream, bytes):
        return "<%d bytes of binary data, sha256=%s>" % (len(stream), hashlib.sha256(stream).hexdigest()[:16])
    if not isinstance(stream, str):
        raise TypeError("A stream must be str, bytes or None, not %s" % type(stream).__name__)
    # STEPUP_MAX_OUTPUT_SIZE (bytes) cuts recorded streams; unset or 0: no limit.
    limit = int(os.environ.get("STEPUP_MAX_OUTPUT_SIZE") or "0")
    encoded = stream.encode("utf-8")
    if limit <= 0 or len(encoded) <= limit:
        return stream
    return encoded[:limit].decode("utf-8", "ignore") + "\n[output truncated at %d bytes]" % limit


def run_subprocess(cmd, *, workdir=".", stdin=None, shell=False, check=True, text=None):
    """Runs a command, records it (``record_subprocess``) and returns its CompletedProcess.

    Without a shell, ``cmd`` is split into words and leading ``VAR=value`` words set variables for
    it. Output is captured; text mode follows the type of ``stdin`` unless ``text`` says otherwise.
    With ``check``, a non-zero exit code prints the captured output and raises CalledProcessError
    (after the record is made).
    """
    overrides = None
    if not shell:
        overrides, cmd = extract_env_overrides(cmd)
    text = _text_mode(stdin, text)
    env = dict(os.environ)
    env.update(overrides or {})
    done = subprocess.run(
        cmd if shell else shlex.split(cmd), cwd=workdir, env=env, shell=shell, input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL, capture_output=True, text=text,
        errors="ignore" if text else None, check=False,
    )
    record_subprocess(cmd, done.returncode, workdir=workdir, env_overrides=overrides, shell=shell, stdin=stdin,
                      stdout=done.stdout, stderr=done.stderr)
    if check and done.returncode != 0:
        if done.stdout:
            sys.stdout.write(done.stdout if text else done.stdout.decode("utf-8", "replace"))
        if done.stderr:
            sys.stderr.write(done.stderr if text else done.stderr.decode("utf-8", "replace"))
        raise subprocess.CalledProcessError(done.returncode, cmd, done.stdout, done.stderr)
    return done


def _text_mode(stdin, text):
    if stdin is None:
        return True if text is None else bool(text)
    if isinstance(stdin, str):
        if text is False:
            raise TypeError("stdin must be bytes when text=False")
        return True
    if isinstance(stdin, bytes):
        if text is True:
            raise TypeError("stdin must be str when text=True")
        return False
    raise TypeError("stdin must be str, bytes or None")
