"""Variables in files: read ``.json``, ``.toml``, ``.yaml``/``.yml`` and ``.py`` files, write
``.json`` and ``.yaml``/``.yml`` files (for ``loadns``, ``dumpns`` and ``call(args_file=...)``).

TOML is read with the standard library (Python 3.11 and later). YAML needs a YAML parser that
the step's Python can import (PyYAML); without one, a YAML file is a clear error.
"""

import contextlib
import dataclasses
import enum
import json
import os
import runpy
import sys
import types

from .exceptions import StepUpError
from .nglob import _Path

__all__ = ("load_variables", "dump_variables", "unstructure", "VARIABLE_SUFFIXES", "DUMP_SUFFIXES")

VARIABLE_SUFFIXES = (".json", ".toml", ".yaml", ".yml", ".py")
DUMP_SUFFIXES = (".json", ".yaml", ".yml")


def load_variables(path, dir_out=None):
    """The variables defined in one file, as a dict.

    In a ``.py`` file (run in its own folder), names starting with ``_`` and imported modules are
    skipped, and path objects (``os.PathLike``, and the ``path.Path`` strings that ``getenv(path=True)``
    and ``static()`` return) are made relative to ``dir_out`` (default: the working directory).
    """
    suffix = os.path.splitext(path)[1]
    if suffix == ".json":
        with open(path, encoding="utf-8") as stream:
            data = json.load(stream)
    elif suffix == ".toml":
        try:
            import tomllib
        except ImportError:
            raise StepUpError("Reading %s needs Python 3.11 or later (tomllib)." % path) from None
        with open(path, "rb") as stream:
            data = tomllib.load(stream)
    elif suffix in (".yaml", ".yml"):
        with open(path, encoding="utf-8") as stream:
            data = _yaml_module(path, "Reading").safe_load(stream)
    elif suffix == ".py":
        data = _load_python(path, os.getcwd() if dir_out is None else os.fspath(dir_out))
    else:
        raise StepUpError("Unsupported variable file format: %s (use %s)" % (path, ", ".join(VARIABLE_SUFFIXES)))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise StepUpError("%s must define a mapping of variables, not a %s." % (path, type(data).__name__))
    return data


def _load_python(path, dir_out):
    folder = os.path.dirname(os.path.abspath(path))
    cwd = os.getcwd()
    sys.path.insert(0, folder)
    try:
        with _chdir(folder):
            defined = runpy.run_path(os.path.basename(path), run_name="<variables>")
    finally:
        sys.path.remove(folder)
    result = {}
    for name, value in defined.items():
        if name.startswith("_") or isinstance(value, types.ModuleType):
            continue
        if _is_path(value):
            relative = os.path.relpath(os.path.join(cwd, os.fspath(value)), os.path.join(cwd, dir_out))
            value = type(value)(relative)
        result[name] = value
    return result


def _is_path(value):
    # path.Path is a str without __fspath__, so os.PathLike does not recognise it.
    if isinstance(value, type):
        return False
    return isinstance(value, os.PathLike) or (_Path is not str and isinstance(value, _Path))


@contextlib.contextmanager
def _chdir(folder):
    old = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(old)


def dump_variables(path, data):
    """Writes a dict as ``.json`` (indented) or ``.yaml``/``.yml``."""
    suffix = os.path.splitext(path)[1]
    if suffix not in DUMP_SUFFIXES:
        raise StepUpError("dumpns: unsupported file format: %r (use .json, .yaml or .yml)" % suffix)
    plain = unstructure(data)
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    if suffix == ".json":
        with open(path, "w", encoding="utf-8") as stream:
            json.dump(plain, stream, indent=2)
            stream.write("\n")
    else:
        yaml = _yaml_module(path, "Writing")
        with open(path, "w", encoding="utf-8") as stream:
            yaml.safe_dump(plain, stream)


def _yaml_module(path, verb):
    try:
        import yaml
    except ImportError:
        raise StepUpError(
            "%s %s needs a YAML parser, and this Python (%s) cannot import one: install PyYAML "
            "(`python3 -m pip install pyyaml`) or use a .json file." % (verb, path, sys.executable)
        ) from None
    return yaml


def unstructure(value):
    """Plain JSON data (dict, list, str, int, float, bool, None) for a value made of those and of
    paths, tuples, sets (sorted), namespaces, dataclasses and enums."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, enum.Enum):
        return unstructure(value.value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, types.SimpleNamespace):
        value = vars(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {_key(key): unstructure(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((unstructure(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [unstructure(item) for item in value]
    raise StepUpError("Cannot write a %s as JSON: %r" % (type(value).__name__, value))


def _key(key):
    if isinstance(key, str):
        return key
    if isinstance(key, os.PathLike):
        return os.fspath(key)
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(key)
    raise StepUpError("Cannot write a key of type %s as JSON: %r" % (type(key).__name__, key))
