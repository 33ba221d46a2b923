"""The script protocol of StepUp: ``driver()`` plans and runs the calling script.

A script using the driver is run as

* ``./script.py plan [--optional] [--step-info=FILE]``: define the run step(s);
* ``./script.py cases``: print the command line of every run step;
* ``./script.py run [ARGSTRING]``: do the work of one case.

Single case: the script defines ``info()`` (a dict with the optional keys ``inp``, ``out``,
``vol``, ``static``, ``stdout``, ``stderr`` and any others) and ``run(...)``, whose parameters are
taken from that dict by name. Several cases: the script defines ``CASE_FMT`` (a ``str.format``
pattern), ``cases()`` (yielding a scalar, a list or tuple of positional arguments, a dict of
keyword arguments, or a pair ``(list, dict)``) and ``case_info(*args, **kwargs)`` returning such an
info dict; the run step of a case is ``./script.py run ARGSTRING`` with
``ARGSTRING = CASE_FMT.format(*args, **kwargs)``, parsed back by ``run``. Both may coexist.

Local Python modules that the script imports (files under ``STEPUP_ROOT`` or under a folder of
``STEPUP_EXTERNAL_SOURCES``) are amended as inputs of the plan and run steps; such a module is
static unless a step makes it.
"""

import ast
import inspect
import os
import re
import shlex
import string
import sys

from . import _amend, api
from .stepinfo import StepInfo, dump_step_info
from .utils import path_str, to_str_list

__all__ = ("driver", "case_args", "format_case_args", "parse_case_args", "local_module_paths")

USAGE = """usage: {exe} plan [--optional] [--step-info=FILE]
       {exe} cases
       {exe} run [ARGSTRING]"""

# Folders whose modules are never the user's own sources.
SKIP_DIRS = frozenset(
    [".venv", "venv", "site-packages", "dist-packages", ".tox", ".nox", ".direnv", ".pixi", "node_modules",
     ".stepup"]
)


class DriverError(api.StepUpError):
    """The script does not follow the script protocol, or was called with bad arguments."""


def driver(obj=None, argv=None):
    """Plan or run the calling script (``obj``: the ``__main__`` module by default)."""
    if obj is None:
        obj = sys.modules["__main__"]
    if argv is None:
        argv = sys.argv[1:]
    script_file = _script_file(obj)
    exe = _exe_word(script_file)
    if not argv:
        sys.stderr.write(USAGE.format(exe=exe) + "\n")
        raise SystemExit(2)
    command, rest = argv[0], list(argv[1:])
    if command == "plan":
        optional, step_info = _parse_plan_args(rest, exe)
        _amend_local_modules(script_file)
        _plan(obj, script_file, exe, optional, step_info)
        _amend_local_modules(script_file)
    elif command == "cases":
        if rest:
            raise DriverError("'cases' takes no arguments, got %r" % (rest,))
        for planned in _planned_runs(obj, exe, script_file):
            print(planned.command)
    elif command == "run":
        if rest and rest[0] == "--":
            rest = rest[1:]
        argstring = " ".join(rest) if rest else None
        _amend_local_modules(script_file)
        _run(obj, argstring)
        _amend_local_modules(script_file)
    else:
        sys.stderr.write("Unknown command %r\n%s\n" % (command, USAGE.format(exe=exe)))
        raise SystemExit(2)


def _script_file(obj):
    path = getattr(obj, "__file__", None) or (sys.argv[0] if sys.argv else None)
    if not path:
        raise DriverError("Cannot tell which file the script is.")
    return os.path.abspath(path)


def _exe_word(script_file):
    """The script as the first word of a command run in the current working directory."""
    rel = os.path.relpath(script_file, os.getcwd())
    if os.sep not in rel:
        rel = "./" + rel
    return shlex.quote(rel)


def _parse_plan_args(args, exe):
    optional = False
    step_info = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("--optional", "-o"):
            optional = True
        elif arg.startswith("--step-info="):
            step_info = arg[len("--step-info="):]
        elif arg == "--step-info" and i + 1 < len(args):
            i += 1
            step_info = args[i]
        else:
            sys.stderr.write("Unknown argument %r for plan\n%s\n" % (arg, USAGE.format(exe=exe)))
            raise SystemExit(2)
        i += 1
    return optional, step_info


# Planning


class _PlannedRun:
    def __init__(self, command, inp, out, vol, static):
        self.command = command
        self.inp = inp
        self.out = out
        self.vol = vol
        self.static = static


def _is_single(obj):
    return callable(getattr(obj, "info", None))


def _is_multi(obj):
    return callable(getattr(obj, "cases", None))


def _planned_runs(obj, exe, script_file):
    """The run steps that ``plan`` defines, in order."""
    single = _is_single(obj)
    multi = _is_multi(obj)
    if not single and not multi:
        raise DriverError("A script for the driver defines info() and run(), or CASE_FMT, cases(), case_info() and run().")
    runs = []
    script_inp = os.path.relpath(script_file, os.getcwd())
    if single:
        runs.append(_planned_run(exe + " run", _info_dict(obj.info(), "info()"), script_inp))
    if multi:
        case_fmt = _case_fmt(obj)
        case_info = getattr(obj, "case_info", None)
        if not callable(case_info):
            raise DriverError("A script with cases() must define case_info().")
        for item in obj.cases():
            args, kwargs = case_args(item)
            argstring = format_case_args(case_fmt, args, kwargs)
            prefix = "-- " if argstring.startswith("-") else ""
            command = "%s run %s%s" % (exe, prefix, shlex.quote(argstring))
            runs.append(_planned_run(command, _info_dict(case_info(*args, **kwargs), "case_info()"), script_inp))
    return runs


def _info_dict(info, where):
    if info is None:
        return {}
    if not isinstance(info, dict):
        raise DriverError("%s must return a dict, got %r" % (where, info))
    return info


def _planned_run(command, info, script_inp):
    inp = [script_inp] + to_str_list(info.get("inp"))
    out = to_str_list(info.get("out"))
    vol = to_str_list(info.get("vol"))
    stdout = info.get("stdout")
    stderr = info.get("stderr")
    if stdout is not None:
        stdout = path_str(stdout)
        command += " > " + shlex.quote(stdout)
        out.append(stdout)
    if stderr is not None:
        stderr = path_str(stderr)
        command += " 2> " + shlex.quote(stderr)
        out.append(stderr)
    return _PlannedRun(command, inp, out, vol, to_str_list(info.get("static")))


def _plan(obj, script_file, exe, optional, step_info):
    runs = _planned_runs(obj, exe, script_file)
    infos = []
    for planned in runs:
        if planned.static:
            api.static(planned.static)
        api.step(planned.command, inp=planned.inp, out=planned.out, vol=planned.vol, optional=optional)
        infos.append(
            StepInfo(
                planned.command,
                "./",
                [os.path.normpath(path) for path in planned.inp],
                [],
                [os.path.normpath(path) for path in planned.out],
                [os.path.normpath(path) for path in planned.vol],
            )
        )
    if step_info is not None:
        dump_step_info(step_info, infos)


# Running


def _run(obj, argstring):
    if argstring is None:
        if not _is_single(obj):
            raise DriverError("This script has several cases: 'run' needs an argument string.")
        info = _info_dict(obj.info(), "info()")
    else:
        if not _is_multi(obj):
            raise DriverError("This script has a single case: 'run' takes no argument string, got %r" % argstring)
        args, kwargs = parse_case_args(_case_fmt(obj), argstring)
        info = _info_dict(obj.case_info(*args, **kwargs), "case_info()")
    function = getattr(obj, "run", None)
    if not callable(function):
        raise DriverError("The script defines no run() function.")
    parameters = inspect.signature(function).parameters
    if any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        kwargs = dict(info)
    else:
        kwargs = {key: value for key, value in info.items() if key in parameters}
    function(**kwargs)


# Cases


def _case_fmt(obj):
    case_fmt = getattr(obj, "CASE_FMT", None)
    if not isinstance(case_fmt, str):
        raise DriverError("A script with cases() must define CASE_FMT, a str.format pattern.")
    return case_fmt


def case_args(item):
    """A case item of cases() as (args, kwargs)."""
    if isinstance(item, dict):
        return (), dict(item)
    if isinstance(item, (list, tuple)):
        if len(item) == 2 and isinstance(item[0], (list, tuple)) and isinstance(item[1], dict):
            return tuple(item[0]), dict(item[1])
        return tuple(item), {}
    return (item,), {}


def format_case_args(case_fmt, args, kwargs):
    """The argument string of a case."""
    return case_fmt.format(*args, **kwargs)


_SPEC = re.compile(
    r"^(?:(?P<fill>.)?(?P<align>[<>=^]))?(?P<sign>[-+ ])?(?P<z>z)?(?P<alt>#)?(?P<zero>0)?"
    r"(?P<width>\d+)?(?P<grouping>[_,])?(?:\.(?P<precision>\d+))?(?P<type>[bcdeEfFgGnosxX%])?$",
    re.DOTALL,
)


def _fields(case_fmt):
    """(literal, key, spec, conversion) per field; key is an int (position) or a str (keyword)."""
    result = []
    auto = 0
    for literal, name, spec, conversion in string.Formatter().parse(case_fmt):
        if name is None:
            result.append((literal, None, None, None))
            continue
        if name == "":
            key = auto
            auto += 1
        elif name.isdigit():
            key = int(name)
        elif name.isidentifier():
            key = name
        else:
            raise DriverError("CASE_FMT field {%s} cannot be parsed back into an argument." % name)
        result.append((literal, key, spec or "", conversion))
    return result


def _case_regex(fields):
    parts = []
    groups = []
    seen = {}
    for literal, key, spec, conversion in fields:
        parts.append(re.escape(literal))
        if key is None:
            continue
        if key in seen:
            parts.append("(?P=%s)" % seen[key])
            continue
        group = "g%d" % len(groups)
        seen[key] = group
        groups.append((group, key, spec, conversion))
        parts.append("(?P<%s>%s)" % (group, _field_pattern(spec, conversion)))
    return re.compile(r"\A" + "".join(parts) + r"\Z", re.DOTALL), groups


_INT_PATTERNS = {
    "d": r"[-+ ]?[0-9][0-9_,]*",
    "b": r"[-+ ]?(?:0[bB])?[01][01_]*",
    "o": r"[-+ ]?(?:0[oO])?[0-7][0-7_]*",
    "x": r"[-+ ]?(?:0[xX])?[0-9a-fA-F][0-9a-fA-F_]*",
    "X": r"[-+ ]?(?:0[xX])?[0-9a-fA-F][0-9a-fA-F_]*",
}
_FLOAT_PATTERN = r"[-+ ]?(?:(?:[0-9][0-9_,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|inf|nan|INF|NAN)%?"


def _field_pattern(spec, conversion):
    """The regex of one field: strict for numeric presentation types, else any text."""
    parsed = _SPEC.match(spec) if not conversion and "{" not in spec else None
    kind = parsed.group("type") if parsed else None
    if kind is None or kind in "sc":
        return ".+?"
    fill = parsed.group("fill")
    if parsed.group("align") and fill and fill not in " 0":
        return ".+?"
    pattern = _INT_PATTERNS.get(kind, _FLOAT_PATTERN)
    return r"\s*(?:%s)\s*" % pattern


def parse_case_args(case_fmt, argstring):
    """Parse an argument string made by CASE_FMT back into (args, kwargs).

    CASE_FMT becomes an anchored regex with one group per field; a field with a numeric
    presentation type only matches number-like text, any other field matches any text (as little
    as possible). A field with a numeric presentation type (``d``, ``b``,
    ``o``, ``x``, ``n``, ``e``, ``f``, ``g``, ``%``) becomes an int or a float; a field without a
    type becomes an int or a float when formatting that number gives the same text back (``"7"``,
    ``"0.5"``; not ``"007"``); otherwise the text is kept as a str.
    """
    regex, groups = _case_regex(_fields(case_fmt))
    match = regex.match(argstring)
    if match is None:
        raise DriverError("The argument string %r does not match CASE_FMT %r" % (argstring, case_fmt))
    positional = {}
    kwargs = {}
    for group, key, spec, conversion in groups:
        value = _convert(match.group(group), spec, conversion)
        if isinstance(key, int):
            positional[key] = value
        else:
            kwargs[key] = value
    count = max(positional) + 1 if positional else 0
    missing = [i for i in range(count) if i not in positional]
    if missing:
        raise DriverError("CASE_FMT %r skips positional fields %r" % (case_fmt, missing))
    return tuple(positional[i] for i in range(count)), kwargs


def _convert(text, spec, conversion):
    if conversion == "r" or conversion == "a":
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
    if conversion == "s":
        return text
    parsed = _SPEC.match(spec) if "{" not in spec else None
    kind = parsed.group("type") if parsed else None
    if kind is None or kind == "s" or kind == "c":
        if kind is None and parsed is not None and any(c.isdigit() for c in text):
            for convert in (int, float):
                try:
                    value = convert(text.strip())
                    if format(value, spec) == text:
                        return value
                except (ValueError, TypeError, OverflowError):
                    pass
        return text
    clean = _clean_number(text, parsed)
    try:
        if kind == "d":
            return int(clean)
        if kind in "bB":
            return int(clean, 2)
        if kind in "oO":
            return int(clean, 8)
        if kind in "xX":
            return int(clean, 16)
        if kind == "n":
            try:
                return int(clean)
            except ValueError:
                return float(clean)
        if kind == "%":
            return float(clean.rstrip("%")) / 100
        return float(clean)
    except ValueError:
        raise DriverError("Cannot read %r as a number of format {:%s}" % (text, spec)) from None


def _clean_number(text, parsed):
    clean = text.strip()
    fill = parsed.group("fill")
    if parsed.group("align") and fill and fill not in "+-":
        stripped = clean.strip(fill)
        clean = stripped if stripped else fill
    grouping = parsed.group("grouping")
    if grouping:
        clean = clean.replace(grouping, "")
    return clean


# Local modules


def _is_under(path, folder):
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def local_module_paths(script_file=None):
    """Absolute paths of the imported local modules (see the module docstring), sorted.

    A module counts when its file lies under STEPUP_ROOT (the current working directory when
    unset) or under a folder of STEPUP_EXTERNAL_SOURCES (``:``-separated, relative ones relative
    to the root), and not in a virtual environment or site-packages folder below that folder.
    The script itself and this package are left out.
    """
    root = os.path.realpath(os.environ.get("STEPUP_ROOT") or os.getcwd())
    bases = [root]
    for entry in os.environ.get("STEPUP_EXTERNAL_SOURCES", "").split(":"):
        entry = entry.strip()
        if entry:
            bases.append(os.path.realpath(os.path.join(root, entry)))
    package_dir = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    script_real = os.path.realpath(script_file) if script_file else None
    prefixes = set()
    for name in ("prefix", "base_prefix", "exec_prefix", "base_exec_prefix"):
        value = getattr(sys, name, None)
        if value:
            prefixes.add(os.path.realpath(value))
    found = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not isinstance(file, str) or not file:
            continue
        path = os.path.realpath(file)
        if path == script_real or _is_under(path, package_dir) or not os.path.isfile(path):
            continue
        for base in bases:
            if not _is_under(path, base):
                continue
            below = os.path.relpath(path, base).split(os.sep)
            if any(part in SKIP_DIRS for part in below[:-1]):
                continue
            # An interpreter's own files inside the folder (a venv with another name).
            if any(_is_under(path, prefix) and not _is_under(base, prefix) for prefix in prefixes):
                continue
            found.add(path)
            break
    return sorted(found)


def _amend_local_modules(script_file):
    paths = local_module_paths(script_file)
    if not paths:
        return
    root = os.path.realpath(os.environ.get("STEPUP_ROOT") or os.getcwd())
    cwd = os.path.realpath(os.getcwd())
    # Modules of the project relative to the working directory, external ones absolute.
    inp = [os.path.relpath(path, cwd) for path in paths if _is_under(path, root)]
    inp.extend(path for path in paths if not _is_under(path, root))
    _amend.send_amend(inp=inp, implicit_static=True)
