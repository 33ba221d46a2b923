"""The call protocol: ``driver()`` runs the function of a script that ``api.call()`` names.

A script ends with::

    if __name__ == "__main__":
        driver()

and is then run as

* ``./work.py FUNCTION 'JSON'``: call ``FUNCTION(**json)``;
* ``./work.py FUNCTION --inp=ARGS``: the keyword arguments come from a ``.json``, ``.toml``,
  ``.yaml``/``.yml`` (with an importable YAML parser) or ``.py`` file, amended as an input;
* ``./work.py FUNCTION``: call it without arguments;
* ``./work.py``: print one command line per function the script offers (those in ``__all__``, or
  else the public functions it defines), with its parameters and their defaults.

A function without ``**kwargs`` gets only the arguments it names; any other argument is an error,
except ``inp`` and ``out`` (which ``call()`` always passes when not empty). Arguments of annotated
parameters are converted to the annotated type (``int``, ``float``, ``str``, ``bool``, paths,
lists, tuples, sets, dicts, unions, dataclasses, enums); a value that does not fit is a TypeError
that names the argument. A called function may itself define steps (``call()`` it with
``planning=True``) and amend the running step.
"""

import argparse
import dataclasses
import enum
import inspect
import json
import os
import shlex
import sys
import types
import typing

from .api import loadns

__all__ = ("driver",)


def driver(namespace=None, argv=None):
    """Dispatches a function by name (``namespace``: the caller's globals, a module, or a dict)."""
    if namespace is None:
        namespace = inspect.currentframe().f_back.f_globals
    elif isinstance(namespace, types.ModuleType):
        namespace = vars(namespace)
    script_path = namespace.get("__file__") or sys.argv[0]
    args = _parse_args(script_path, sys.argv[1:] if argv is None else list(argv))
    if args.function is None:
        _print_functions(script_path, namespace)
        return None
    return _dispatch(script_path, namespace, args)


def _parse_args(script_path, argv):
    parser = argparse.ArgumentParser(prog=_short_path(script_path), description="Call a function of this script.")
    parser.add_argument("function", nargs="?", help="the function to call")
    parser.add_argument("json", nargs="?", help="the keyword arguments as a JSON object (or use --inp)")
    parser.add_argument("--inp", metavar="PATH", help="a .json, .toml, .yaml, .yml or .py file of keyword arguments")
    args = parser.parse_args(argv)
    if args.json is not None and args.inp is not None:
        parser.error("give the arguments as JSON or with --inp, not both")
    return args


def _dispatch(script_path, namespace, args):
    function = namespace.get(args.function)
    if function is None or not callable(function):
        raise AttributeError("%s does not define a function '%s'" % (script_path, args.function))
    if args.json is not None:
        kwargs = json.loads(args.json)
        if not isinstance(kwargs, dict):
            raise TypeError("%s: the arguments of '%s' must be a JSON object, got %s"
                            % (script_path, args.function, args.json))
    elif args.inp is not None:
        kwargs = vars(loadns(args.inp))
    else:
        kwargs = {}
    parameters = inspect.signature(function).parameters
    if not any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        extra = sorted(key for key in kwargs if key not in parameters and key not in ("inp", "out"))
        if extra:
            raise TypeError("%s: function '%s' received unexpected arguments: %s"
                            % (script_path, function.__name__, ", ".join(extra)))
        kwargs = {key: value for key, value in kwargs.items() if key in parameters}
    hints = _type_hints(function)
    return function(**{key: _structure_argument(script_path, key, value, hints.get(key))
                       for key, value in kwargs.items()})


def _type_hints(function):
    try:
        return typing.get_type_hints(function)
    except Exception:  # an annotation that cannot be evaluated converts nothing
        return {}


def _structure_argument(script_path, name, value, annotation):
    if annotation is None:
        return value
    try:
        return structure(value, annotation)
    except (TypeError, ValueError) as exc:
        raise TypeError("%s: argument '%s' expected %s, got %s: %r"
                        % (script_path, name, _type_name(annotation), type(value).__name__, value)) from exc


def _type_name(annotation):
    return annotation.__name__ if isinstance(annotation, type) else str(annotation)


def structure(value, annotation):
    """``value`` (plain JSON data) converted to the annotated type; TypeError when it does not fit."""
    if annotation in (typing.Any, object, inspect.Parameter.empty):
        return value
    if annotation is None or annotation is type(None):
        if value is None:
            return None
        raise TypeError("expected None")
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Union or (hasattr(types, "UnionType") and origin is types.UnionType):
        for option in arguments:
            try:
                return structure(value, option)
            except (TypeError, ValueError):
                continue
        raise TypeError("no type of the union fits")
    if origin is typing.Literal:
        if value in arguments:
            return value
        raise TypeError("not one of %r" % (arguments,))
    if origin is not None:
        return _structure_generic(value, origin, arguments)
    if not isinstance(annotation, type):
        return value
    return _structure_class(value, annotation)


def _structure_generic(value, origin, arguments):
    if origin in (list, set, frozenset, tuple) or (isinstance(origin, type) and issubclass(origin, (list, set, frozenset, tuple))):
        if not isinstance(value, (list, tuple)):
            raise TypeError("expected a list")
        if origin is tuple or (isinstance(origin, type) and issubclass(origin, tuple)):
            if len(arguments) == 2 and arguments[1] is Ellipsis:
                return tuple(structure(item, arguments[0]) for item in value)
            if arguments and len(arguments) != len(value):
                raise TypeError("expected %d items" % len(arguments))
            return tuple(structure(item, kind) for item, kind in zip(value, arguments)) if arguments else tuple(value)
        item_type = arguments[0] if arguments else typing.Any
        items = [structure(item, item_type) for item in value]
        return items if origin is list else origin(items)
    if origin is dict or (isinstance(origin, type) and issubclass(origin, dict)):
        if not isinstance(value, dict):
            raise TypeError("expected an object")
        key_type, value_type = arguments if len(arguments) == 2 else (typing.Any, typing.Any)
        return {structure(k, key_type): structure(v, value_type) for k, v in value.items()}
    if isinstance(origin, type) and isinstance(value, origin):
        return value
    raise TypeError("cannot convert to %s" % origin)


def _structure_class(value, annotation):
    if annotation is bool:
        if isinstance(value, bool):
            return value
        raise TypeError("expected a bool")
    if annotation is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise TypeError("expected an int")
    if annotation is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise TypeError("expected a number")
    if annotation is str:
        if isinstance(value, str):
            return value
        raise TypeError("expected a str")
    if issubclass(annotation, enum.Enum):
        return annotation(value)
    if dataclasses.is_dataclass(annotation):
        if not isinstance(value, dict):
            raise TypeError("expected an object")
        hints = typing.get_type_hints(annotation)
        return annotation(**{key: structure(item, hints.get(key, typing.Any)) for key, item in value.items()})
    if isinstance(value, annotation):
        return value
    if issubclass(annotation, os.PathLike) or annotation.__name__ == "Path":
        if isinstance(value, str):
            return annotation(value)
        raise TypeError("expected a path")
    return annotation(value)


def _print_functions(script_path, namespace):
    names = namespace.get("__all__")
    module_name = namespace.get("__name__")
    display = _short_path(script_path)
    for name, function in list(namespace.items()):
        if not callable(function) or isinstance(function, type):
            continue
        if names is not None:
            if name not in names:
                continue
        elif name.startswith("_") or getattr(function, "__module__", None) != module_name:
            continue
        parameters = {
            key: None if parameter.default is inspect.Parameter.empty else parameter.default
            for key, parameter in inspect.signature(function).parameters.items()
            if parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        }
        print("%s %s %s" % (display, name, shlex.quote(json.dumps(parameters, default=str))))


def _short_path(script_path):
    relative = os.path.relpath(script_path)
    return relative if "/" in relative else "./" + relative
