"""The API of a running step: define steps, declare static files, amend the step's dependencies.

It offers StepUp Core 4's functions (``run``, ``plan``, ``call``, ``copy``, ``static``, ``glob``,
``amend``, ``getenv``, ``loadns``, ``dumpns``, ``hold``, ``shq``, ``get_info``, ``graph``) next to
the 3.x names (``step``, ``runsh``, ``runpy``, ``script``, ``getinfo``). Every function sends
requests to the director that runs the current step (see docs/step-api.md). Paths are sent as
written after ``${VAR}`` substitution, with ``cwd`` (the caller's working directory): the director
resolves them. Importing this module never connects.

``step()`` keeps its 3.x meaning: a shell command in which the director expands ``${inp}``,
``${out}`` and ``${vol}``. The 4.x functions send commands as they are, run without a shell unless
``shell=True``.

Outside a build (no ``STEPUP_DIRECTOR_SOCKET``), each request is printed instead
(``stepup: would send ...``), so that a plan can be tried by hand.
"""

import contextlib
import inspect
import json
import keyword
import math
import os
import shlex
import shutil
import sys
import types

from . import _amend, _client
from .enums import Need
from .envsubs import subs_env_vars
from .exceptions import AmendWhileHoldingError, EnvVarError, InputNotFoundError, PathError, StepUpError
from .nglob import _Path, NamedGlob, has_any_wildcards, has_trailing_recursive_wildcard
from .nsfile import dump_variables, load_variables, unstructure
from .stepinfo import StepInfo
from .utils import extract_env_overrides, normpath_keep_affixes, path_str, to_str_list

__all__ = (
    "StepUpError",
    "InputNotFoundError",
    "PathError",
    "EnvVarError",
    "AmendWhileHoldingError",
    "StepInfo",
    "NamedGlob",
    "Need",
    "static",
    "glob",
    "step",
    "run",
    "plan",
    "call",
    "copy",
    "runsh",
    "runpy",
    "script",
    "amend",
    "getenv",
    "loadns",
    "dumpns",
    "render_jinja",
    "hold",
    "graph",
    "get_info",
    "getinfo",
    "shq",
    "subs_env_vars",
    "get_job_i",
)

# Variables that the director sets for every step: not an environment dependency, not overridable.
RESERVED_ENV_VARS = frozenset(
    ["HERE", "ROOT", "STEPUP_JOB_I", "STEPUP_STEP_INP_DIGEST", "STEPUP_STEP_NEED", "STEPUP_ROOT",
     "STEPUP_DIRECTOR_SOCKET", "STEPUP_STEP_TOKEN", "STEPUP_STEP_KEY"]
)
# Larger call() arguments go through an arguments file (args_file=).
MAX_INLINE_ARGS = 128 * 1024
# The parameters that a callable command may declare.
COMMAND_PARAMETERS = ("inp", "out", "vol")


def _cwd():
    return os.getcwd()


# Declaring and finding files


def static(*paths):
    """Declare static files (made by no step, never touched by StepUp) and folders.

    Arguments are paths, iterables of paths, or the NamedGlob of a ``glob()``, relative to the
    current working directory. A literal path must exist: a file is declared static, a folder
    (with or without a trailing ``/``) makes every file under it static. A pattern (``*``, ``?``,
    ``[...]``, ``**`` but not as its last component, ``${*name}``) declares its matches and is
    registered with the calling step, which runs again when the matches change; no match is fine.
    Returns the sorted files and folders (with ``/``) declared, relative to the working directory.
    """
    literal = []
    matched = []
    patterns = []
    with subs_env_vars() as subs_env:
        for arg in _static_args(paths):
            if isinstance(arg, NamedGlob):
                matched.extend(arg.files())
                continue
            path = subs_env(arg)
            if not has_any_wildcards(path):
                literal.append(path)
                continue
            if has_trailing_recursive_wildcard(path):
                raise PathError(
                    "static() does not take a pattern that ends with the recursive wildcard **: %s. "
                    "Declare the folder instead, e.g. static('src/'), which covers every file under it, "
                    "or use glob() to list files." % path
                )
            found = NamedGlob(path).glob().files()
            patterns.append({"pattern": path, "subs": {}, "paths": found})
            matched.extend(found)
    for path in literal:
        if not os.path.exists(path):
            raise PathError("Path does not exist: %s" % path)
    folders = sorted({_dir_path(p) for p in literal + matched if os.path.isdir(p)})
    files = sorted({p for p in literal + matched if not os.path.isdir(p)})
    if not (folders or files or patterns):
        return []
    request = {"type": "api.static", "cwd": _cwd(), "paths": folders + files}
    if patterns:
        request["patterns"] = patterns
    _client.call(request)
    return [_Path(p) for p in sorted(folders + files)]


def _static_args(args):
    for arg in args:
        if isinstance(arg, (NamedGlob, str, bytes)) or hasattr(arg, "__fspath__"):
            yield arg
        else:
            for item in arg:
                if isinstance(item, NamedGlob):
                    yield item
                else:
                    yield from to_str_list(item)


def _dir_path(path):
    return path if path.endswith("/") else path + "/"


def glob(pattern, _required=False, **subs):
    """Match a pattern against the files and folders on disk; declares nothing.

    ``pattern`` (relative to the working directory) may use ``*``, ``?``, ``[...]``, ``**`` and
    named wildcards ``${*name}``, whose sub-pattern is the keyword argument ``name`` (default
    ``*``). The pattern is registered with the calling step, which runs again when the matches
    change. Returns a NamedGlob: truthy when something matched, ``.files()``, ``.matches()``,
    ``.single()``. With ``_required=True`` (StepUp 3), no match is an error.
    """
    with subs_env_vars() as subs_env:
        path = subs_env(pattern)
    found = NamedGlob(path, subs).glob()
    if _required and not found:
        raise StepUpError("No files match %s" % path)
    _client.call({"type": "api.glob", "cwd": _cwd(), "pattern": path, "subs": dict(subs), "paths": found.files()},
                 advisory=True)
    return found


# Defining steps


def step(command, *, inp=(), out=(), vol=(), env=(), workdir=".", optional=False, planning=False,
         name=None, resources=None, need=None, shell=None, env_overrides=None, duration=None):
    """Define a step: ``command`` run in ``workdir``.

    A command with shell syntax (quotes, ``$``, redirections, pipes, ``;``, wildcards, a leading
    ``VAR=value``) or whose program is not a file (a shell builtin such as ``cd``) runs with
    ``/bin/sh -c``, and the director expands the StepUp 3 placeholders ``${inp}``, ``${out}`` and
    ``${vol}`` in it. Any other command means the same with or without a shell and runs without
    one, as in StepUp 4. ``shell=True`` or ``shell=False`` decides explicitly (without a shell
    there are no placeholders).

    ``workdir`` is relative to the current working directory; ``inp``, ``out`` and ``vol`` (a path
    or a list of paths) are relative to ``workdir``; ``env`` names environment variables whose
    values the step depends on. StepUp 4's keywords work too: ``need`` (a Need),
    ``env_overrides`` (variables set for the command), ``duration`` (an estimate in seconds, for
    scheduling). Returns the StepInfo of the defined step as the director answers.
    """
    optional, planning = _need_flags(need, optional, planning)
    return _define_step(
        command, inp=inp, out=out, vol=vol, env=env, workdir=workdir, optional=optional, planning=planning,
        name=name, resources=resources, shell=shell, placeholders=shell, env_overrides=env_overrides,
        duration=duration,
    )


def _need_flags(need, optional, planning):
    if need is None:
        return bool(optional), bool(planning)
    need = Need(need)
    if need == Need.TARGET:
        raise StepUpError("Need.TARGET cannot be declared: build targets make a step TARGET.")
    if optional or planning:
        raise StepUpError("Give need= or optional=/planning=, not both.")
    return need == Need.OPTIONAL, need == Need.PLAN


def _define_step(command, *, inp, out, vol, env, workdir, optional, planning, name=None, resources=None,
                 shell=None, placeholders=None, env_overrides=None, duration=None, argv=None):
    """Sends api.step. ``shell`` None: decided by the command (``needs_shell``); ``placeholders``
    None: the same as ``shell``."""
    env = to_str_list(env)
    with subs_env_vars() as subs_env:
        inp = [subs_env(p) for p in to_str_list(inp)]
        out = [subs_env(p) for p in to_str_list(out)]
        vol = [subs_env(p) for p in to_str_list(vol)]
        workdir = subs_env(workdir)
    command = _resolve_command(command, inp, out, vol)
    if not command.strip():
        raise StepUpError("The command must not be empty.")
    if shell is None:
        shell = needs_shell(command)
    if placeholders is None:
        placeholders = shell
    for paths in (inp, out, vol):
        _check_no_folders(paths, workdir)
    _check_duration(duration)
    _check_env_overrides(env_overrides, env)
    if planning:
        _warn_planning_from_non_planning(command)
    request = _definition_request(
        "api.step", {"command": command, "planning": bool(planning)},
        workdir=workdir, inp=_unique(inp), out=out, vol=vol, env=env, optional=optional, resources=resources,
        duration=duration,
    )
    if name is not None:
        request["name"] = str(name)
    if not shell:
        request["shell"] = False
        request["argv"] = argv if argv is not None else _split_command(command)
    if not placeholders:
        request["placeholders"] = False
    if env_overrides:
        request["envOverrides"] = {str(k): str(v) for k, v in env_overrides.items()}
    answer = _client.call(request)
    return _step_info(answer, request)


def _definition_request(call_type, fields, *, workdir, inp, out, vol, env, optional, resources, duration):
    """The request of api.step or api.script: the call's own ``fields`` and the definition that both
    share (the director's DefineCall), ``resources`` and ``duration`` only when given."""
    request = {"type": call_type, "cwd": _cwd(), **fields, "workdir": workdir, "inp": inp, "out": out, "vol": vol,
               "env": env, "optional": bool(optional)}
    resources = _resources(resources)
    if resources:
        request["resources"] = resources
    if duration is not None:
        request["duration"] = float(duration)
    return request


# Characters that mean something to /bin/sh: with any of them, a command needs a shell.
_SHELL_SYNTAX = frozenset("|&;<>()$`\\\"'*?[]~#!\n")


def needs_shell(command):
    """True unless the command means the same without a shell: plain words (no quoting, no
    expansions, no operators, no leading ``VAR=value``) whose first is a program file (a path, or
    a name found on PATH), not a shell builtin."""
    if any(char in _SHELL_SYNTAX for char in command):
        return True
    words = command.split()
    if not words or "=" in words[0]:
        return True
    program = words[0]
    if "/" in program:
        return False
    return shutil.which(program) is None


def _resolve_command(command, inp, out, vol):
    """The command text; a callable command is called with the paths it asks for by name."""
    if not callable(command):
        return path_str(command)
    available = {"inp": list(inp), "out": list(out), "vol": list(vol)}
    kwargs = {}
    for name, parameter in inspect.signature(command).parameters.items():
        if parameter.kind not in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
            raise StepUpError("A command callable must name its parameters (%s is not supported)." % name)
        if name not in available:
            raise StepUpError("A command callable cannot take %r; it may take %s."
                              % (name, ", ".join(COMMAND_PARAMETERS)))
        kwargs[name] = available[name]
    return path_str(command(**kwargs))


def _check_no_folders(paths, workdir):
    for path in paths:
        if path.endswith("/") or os.path.isdir(os.path.join(workdir, path)):
            raise PathError("Directories are not allowed: %s (a step's inputs and outputs are files)" % path)


def _check_duration(duration):
    if duration is None:
        return
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or math.isnan(duration) \
            or math.isinf(duration) or duration < 0:
        raise StepUpError("Invalid duration: %r. It must be a non-negative number of seconds." % (duration,))


def _check_env_overrides(overrides, env):
    if not overrides:
        return
    both = sorted(set(env) & set(overrides))
    if both:
        raise StepUpError("A variable cannot be both an env dependency and an override: " + ", ".join(both))
    reserved = sorted(set(overrides) & RESERVED_ENV_VARS)
    if reserved:
        raise StepUpError("StepUp sets these variables itself; they cannot be overridden: " + ", ".join(reserved))


def _warn_planning_from_non_planning(command):
    creator_need = os.environ.get("STEPUP_STEP_NEED")
    if creator_need is not None and creator_need != Need.PLAN.name:
        sys.stderr.write(
            "WARNING: planning step '%s' is registered from a non-planning step (creator need=%s). "
            "This is likely a workflow authoring error.\n" % (command, creator_need)
        )


def _unique(paths):
    seen = set()
    result = []
    for path in paths:
        key = os.path.normpath(path)
        if key not in seen:
            seen.add(key)
            result.append(path)
    return result


def _resources(resources):
    if resources is None:
        return None
    if isinstance(resources, dict):
        for resource, units in resources.items():
            if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
                raise StepUpError("Invalid quantity for resource %r: %r. It must be a positive integer." % (resource, units))
        return ",".join("%s:%s" % (name, units) for name, units in resources.items())
    if isinstance(resources, str):
        return resources
    return ",".join(to_str_list(resources))


def _split_command(command):
    try:
        return shlex.split(command)
    except ValueError as exc:
        raise StepUpError("Cannot split the command into words: %s (%s)" % (command, exc)) from None


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


def run(command, *, inp=(), env=(), out=(), vol=(), workdir=".", optional=False, shell=False, resources=None,
        duration=None):
    """Define a step that runs ``command`` in ``workdir`` (StepUp 4).

    Without a shell (the default) the command is split into words as a POSIX shell would, and
    leading ``VAR=value`` words become variables set for the command. A first word (after those)
    that contains ``/`` and is not absolute, such as ``./work.py``, is an input of the step. A
    ``.py`` first word runs through StepUp's Python launcher, which amends the local modules the
    script imports. ``shell=True`` runs the command with ``/bin/sh``. The command is sent as it is:
    use ``shq()`` to put paths in it, or give a callable that takes ``inp``, ``out`` or ``vol``.
    ``optional=True``: the step runs only when a needed step uses one of its outputs.
    """
    command, inp = _resolve_run_command(command, inp, out, vol)
    command, exe, overrides, argv = _prepare_command(command, shell=shell, need_exe=False)
    return _define_step(
        command, inp=([exe] if exe else []) + inp, out=out, vol=vol, env=env, workdir=workdir,
        optional=optional, planning=False, resources=resources, shell=shell, placeholders=False,
        env_overrides=overrides, duration=duration, argv=argv,
    )


def plan(command, *, inp=(), env=(), out=(), vol=(), workdir=".", resources=None, duration=None):
    """Define a planning step: ``run()`` without a shell for a local executable that defines more
    steps, dispatched before other steps (``plan("./plan.py", workdir="sub")``)."""
    command, inp = _resolve_run_command(command, inp, out, vol)
    command, exe, overrides, argv = _prepare_command(command, shell=False, need_exe=True)
    return _define_step(
        command, inp=[exe] + inp, out=out, vol=vol, env=env, workdir=workdir, optional=False, planning=True,
        resources=resources, shell=False, placeholders=False, env_overrides=overrides, duration=duration,
        argv=argv,
    )


def _resolve_run_command(command, inp, out, vol):
    """The command text (a callable gets the substituted paths) and the inputs as a list."""
    inp = to_str_list(inp)
    if callable(command):
        with subs_env_vars() as subs_env:
            command = _resolve_command(
                command, [subs_env(p) for p in inp], [subs_env(p) for p in to_str_list(out)],
                [subs_env(p) for p in to_str_list(vol)],
            )
    return path_str(command), inp


def _prepare_command(command, *, shell, need_exe):
    """(command to send, local executable or None, env overrides or None, argv or None)."""
    overrides, rest = extract_env_overrides(command)
    words = _split_command(rest)
    first = words[0] if words else ""
    exe = first if "/" in first and not first.startswith("/") else None
    if exe is None and need_exe:
        raise PathError("The command must start with a relative path to a local executable, "
                        "with at least one slash, e.g. './plan.py'. Got: %s" % command)
    if shell:
        return command, exe, None, None
    if not words:
        raise StepUpError("The command must not be empty.")
    return rest, exe, overrides, words


def copy(src, dst, *, optional=False, resources=None, duration=None):
    """Define a step ``cp -p SRC DST``; a ``dst`` ending in ``/`` is a folder (the file keeps its
    name)."""
    with subs_env_vars() as subs_env:
        src = subs_env(src)
        dst = subs_env(dst)
    if dst.endswith("/"):
        name = os.path.basename(src.rstrip("/"))
        dst = name if dst == "./" else dst + name
    if os.path.normpath(dst) == os.path.normpath(src):
        raise PathError("The output path cannot equal the input path: %s" % dst)
    argv = ["cp", "-p", src, dst]
    return _define_step(
        shlex.join(argv), inp=[src], out=[dst], vol=(), env=(), workdir=".", optional=optional, planning=False,
        resources=resources, shell=False, placeholders=False, duration=duration, argv=argv,
    )


RENDER_JINJA_MODES = ("auto", "plain", "latex")


def render_jinja(*args, mode="auto", optional=False, resources=None, duration=None):
    """Define a step that renders a Jinja2 template: ``render_jinja(TEMPLATE, VARIABLES..., DEST)``.

    Each of VARIABLES is a ``.py``, ``.json``, ``.toml`` or ``.yaml`` file (an input; later files
    override earlier ones) or a dict (passed as JSON on the command line; dicts override files).
    DEST is the output file, or a folder (ending in ``/``) that gets the template's name. ``mode``:
    ``plain`` (``{{ }}``), ``latex`` (``<< >>``) or ``auto`` (latex for a ``.tex`` output). The step
    runs ``sc-render-jinja`` (``python3 -m stepup.core.render_jinja``), which needs Jinja2.
    """
    if len(args) < 3:
        raise TypeError("At least three positional arguments must be given: "
                        "the template, at least one file or dict with variables, and the destination.")
    template, dest = args[0], args[-1]
    if not isinstance(template, (str, os.PathLike)):
        raise TypeError("The template argument must be a path.")
    if not isinstance(dest, (str, os.PathLike)):
        raise TypeError("The destination argument must be a path.")
    variables = {}
    variable_files = []
    for arg in args[1:-1]:
        if isinstance(arg, dict):
            variables.update(arg)
        elif isinstance(arg, (str, os.PathLike)):
            variable_files.append(path_str(arg))
        else:
            raise TypeError("The variables arguments must be paths or dictionaries.")
    if mode not in RENDER_JINJA_MODES:
        raise StepUpError("Unsupported mode %r. Must be one of %s" % (mode, ", ".join(map(repr, RENDER_JINJA_MODES))))
    if not variable_files and not variables:
        raise StepUpError("At least one file with variable definitions needed.")
    with subs_env_vars() as subs_env:
        template = subs_env(path_str(template))
        dest = subs_env(path_str(dest))
        variable_files = [subs_env(p) for p in variable_files]
    if dest.endswith("/") or os.path.isdir(dest):
        dest = os.path.join(dest, os.path.basename(template))
    inputs = [template, *variable_files]
    argv = ["sc-render-jinja", *inputs, dest]
    if mode != "auto":
        argv.append("--mode=" + mode)
    if variables:
        argv.append("--json=" + json.dumps(variables))
    return _define_step(
        shlex.join(argv), inp=inputs, out=[dest], vol=(), env=(), workdir=".", optional=optional, planning=False,
        resources=resources, shell=False, placeholders=False, duration=duration, argv=argv,
    )


def call(executable, function, /, *, inp=(), env=(), out=(), vol=(), workdir=".", optional=False, planning=False,
         resources=None, args_file=None, duration=None, **kwargs):
    """Define a step that calls ``function`` of a script using ``stepup.core.call.driver``.

    The step is ``EXECUTABLE FUNCTION 'JSON'``: the JSON holds ``kwargs`` and, when not empty,
    ``inp`` and ``out`` (lists). With ``args_file="args.json"`` (or ``.yaml``/``.yml``) the
    arguments are written to that file (an output of the calling step) and the step is
    ``EXECUTABLE FUNCTION --inp=args.json``, with the file as input. The executable must contain a
    ``/`` and be relative; it is an input too. ``planning=True``: the function defines steps
    (a planning step); ``optional=True``: it runs only when its outputs are needed.
    """
    if optional and planning:
        raise StepUpError("optional and planning are mutually exclusive")
    executable = normpath_keep_affixes(path_str(executable))
    with subs_env_vars() as subs_env:
        inp = [subs_env(p) for p in to_str_list(inp)]
        out = [subs_env(p) for p in to_str_list(out)]
        workdir = subs_env(workdir)
        args_file = subs_env(args_file)
    if "/" not in executable:
        raise PathError("executable must contain a path separator (e.g. './script.py'), got: %r" % executable)
    if os.path.isabs(executable):
        raise PathError("executable must not be an absolute path, got: %r" % executable)
    if not (isinstance(function, str) and function.isidentifier() and not keyword.iskeyword(function)):
        raise StepUpError("function must be a valid Python function name, got: %r" % (function,))
    forwarded = dict(kwargs)
    if inp:
        forwarded["inp"] = inp
    if out:
        forwarded["out"] = out
    if args_file is None:
        text = json.dumps(unstructure(forwarded))
        if len(text.encode("utf-8")) > MAX_INLINE_ARGS:
            raise StepUpError("The call arguments exceed 128 KiB as JSON; pass args_file= to use a file instead.")
        argv = [executable, function, text]
        step_inp = [executable] + inp
    else:
        dumpns(os.path.normpath(os.path.join(workdir, args_file)), forwarded)
        argv = [executable, function, "--inp=" + args_file]
        step_inp = [executable] + inp + [args_file]
    return _define_step(
        shlex.join(argv), inp=step_inp, out=out, vol=vol, env=env, workdir=workdir, optional=optional,
        planning=planning, resources=resources, shell=False, placeholders=False, duration=duration, argv=argv,
    )


def runsh(command, **kwargs):
    """Define a shell step (StepUp 3; the same as ``step``)."""
    return step(command, **kwargs)


def runpy(command, **kwargs):
    """Define a step that runs a Python script (StepUp 3): like ``step``, and when the first word of
    the command is a local path (such as ``./work.py``), that file is an input too."""
    _, rest = extract_env_overrides(command)
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    word = words[0] if words else None
    if word and "/" in word and not os.path.isabs(word):
        inp = to_str_list(kwargs.get("inp"))
        script_path = os.path.normpath(word)
        if script_path not in [os.path.normpath(path) for path in inp]:
            kwargs["inp"] = [script_path] + inp
    return step(command, **kwargs)


def script(executable, *, step_info=None, workdir=".", optional=False, inp=(), out=(), vol=(), env=(),
           resources=None, duration=None):
    """Define the plan step of the script protocol: ``./executable plan`` in ``workdir``.

    ``optional=True`` adds ``--optional`` (the plan step itself always runs, its run steps are
    optional); ``step_info="f.json"`` adds ``--step-info=f.json`` and makes that file an output.
    ``executable`` is relative to ``workdir``. (Deprecated in StepUp 4 in favour of ``call()``.)
    """
    _check_duration(duration)
    request = _definition_request(
        "api.script", {"executable": path_str(executable)},
        workdir=path_str(workdir), inp=to_str_list(inp), out=to_str_list(out), vol=to_str_list(vol),
        env=to_str_list(env), optional=optional, resources=resources, duration=duration,
    )
    if step_info is not None:
        request["stepInfo"] = path_str(step_info)
    answer = _client.call(request)
    return _step_info(answer, {"command": "./%s plan" % request["executable"], "workdir": request["workdir"]})


# The running step's own dependencies


def amend(*, inp=(), out=(), vol=(), env=()):
    """Add inputs, outputs, volatile outputs or environment variables to the running step.

    Paths are relative to the current working directory (``${VAR}`` substituted); outputs must be
    amended before they are written. Returns True; raises InputNotFoundError when an amended input
    is not built yet (let it propagate: the director runs the step again once the input exists),
    and AmendWhileHoldingError for inputs inside ``with hold():``.
    """
    env = to_str_list(env)
    with subs_env_vars() as subs_env:
        inp = [subs_env(p) for p in to_str_list(inp)]
        out = [subs_env(p) for p in to_str_list(out)]
        vol = [subs_env(p) for p in to_str_list(vol)]
    for paths in (inp, out, vol):
        _check_no_folders(paths, ".")
    return _amend.send_amend(inp, out, vol, env)


def getenv(name, default=None, *, path=False, back=False, multi=False):
    """``os.getenv`` that makes the variable an environment dependency of the running step.

    ``path``: the value is a path; it is normalized, with ``${VAR}`` substituted once (an unset
    variable without default is then an EnvVarError). ``back``: the value is a path relative to
    STEPUP_ROOT; it is returned relative to the step's working directory, ``HERE`` (implies ``path``). ``multi``:
    the value is a ``:``-separated list of paths (implies ``path``; unset gives ``[]``).
    """
    path = path or back or multi
    if default is not None:
        default = path_str(default)
    value = os.getenv(name, default)
    if name not in RESERVED_ENV_VARS:
        amend(env=name)
    if multi:
        if value is None:
            return []
        with subs_env_vars() as subs_env:
            return [_Path(_env_path(subs_env, item.strip(), back)) for item in value.split(":") if item.strip()]
    if path:
        if value is None:
            raise EnvVarError("Undefined shell variable: %s. Cannot make a path of it." % name)
        with subs_env_vars() as subs_env:
            return _Path(_env_path(subs_env, value, back))
    return value


def _env_path(subs_env, value, back):
    path = subs_env(value)
    if not back or os.path.isabs(path):
        return path
    root = os.environ.get("STEPUP_ROOT") or _cwd()
    # Relative to the step's working directory (HERE), also in code that runs elsewhere, such as a
    # variables file that loadns() runs in its own folder.
    here = os.environ.get("HERE")
    workdir = os.path.join(root, here) if here is not None else _cwd()
    relative = os.path.relpath(os.path.join(root, path), workdir)
    return normpath_keep_affixes(relative + ("/" if path.endswith("/") else ""))


def loadns(*paths, dir_out=None, do_amend=True):
    """Load variables from ``.json``, ``.toml``, ``.yaml``/``.yml`` or ``.py`` files into a
    SimpleNamespace; later files override earlier ones. With ``do_amend`` the files are amended
    as inputs. (In ``.py`` files, ``_`` names and modules are skipped and paths are made
    relative to ``dir_out``, the working directory by default.) YAML needs an importable YAML parser."""
    with subs_env_vars() as subs_env:
        paths = [subs_env(p) for p in to_str_list(paths)]
    variables = {}
    for path in paths:
        variables.update(load_variables(path, dir_out))
    if do_amend:
        amend(inp=paths)
    return types.SimpleNamespace(**variables)


def dumpns(path, data, *, do_amend=True):
    """Write a dict or SimpleNamespace to a ``.json`` or ``.yaml``/``.yml`` file; with
    ``do_amend`` the file is first amended as an output of the running step."""
    with subs_env_vars() as subs_env:
        path = subs_env(path)
    if do_amend:
        amend(out=path)
    if isinstance(data, types.SimpleNamespace):
        data = vars(data)
    dump_variables(path, data)


@contextlib.contextmanager
def hold():
    """Hold back the steps defined inside the block: none is dispatched before the outermost
    ``with hold():`` block ends, and then they start in order of their duration (longest first).
    Re-entrant. Steps that can be skipped are not held. No ``amend(inp=...)`` inside the block."""
    _client.call({"type": "api.hold"}, advisory=True)
    _amend.enter_hold()
    try:
        yield
    finally:
        failing = sys.exc_info()[0] is not None
        try:
            _client.call({"type": "api.release"}, advisory=True)
        except StepUpError:
            # An error from the release must not hide the one that ends the block.
            if not failing:
                raise
        else:
            _amend.leave_hold()


# Reading


def graph(prefix):
    """Ask the director to write ``<prefix>.txt``, ``<prefix>_provenance.dot`` and
    ``<prefix>_dependency.dot`` (relative to the current working directory)."""
    answer = _client.call({"type": "api.graph", "cwd": _cwd(), "prefix": path_str(prefix)})
    return list(answer.get("files") or [])


def get_info():
    """The running step's own definition (without dynamic dependencies) as a StepInfo, as StepUp 4
    gives it: ``workdir`` relative to STEPUP_ROOT without a trailing slash (``sub``, ``.`` for the
    root), ``inp``, ``out`` and ``vol`` relative to it and sorted, ``env`` sorted."""
    answer = _client.call({"type": "api.info"})
    info = StepInfo.from_dict({
        "command": answer.get("command") or "",
        **{key: sorted(answer.get(key) or ()) for key in ("inp", "env", "out", "vol")},
    })
    info.workdir = _Path(os.path.normpath(answer.get("workdir") or "."))
    return info


getinfo = get_info


def shq(paths):
    """Paths (``${VAR}`` substituted) shell-quoted and joined by spaces, to put in a command."""
    with subs_env_vars() as subs_env:
        return shlex.join(subs_env(p) for p in to_str_list(paths))


def get_job_i():
    """StepUp Core's job number of the running step (``STEPUP_JOB_I``), -1 when none is set."""
    value = os.environ.get("STEPUP_JOB_I")
    return int(value) if value else -1
