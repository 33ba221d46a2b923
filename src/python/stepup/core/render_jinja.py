"""``sc-render-jinja TEMPLATE [VARIABLES...] OUTPUT``: the command of ``api.render_jinja``.

Renders TEMPLATE with Jinja2 (strict: an undefined name is an error) using the variables of the
given files (``.py``, ``.json``, ``.toml``, ``.yaml``; later ones win), then those of ``--json``.
``--mode=latex`` (the default for a ``.tex`` output) uses ``<< >>``, ``<% %>`` and ``<# #>``
instead of braces. The output gets the template's permissions, so a rendered script stays
executable. Local modules that a ``.py`` variable file imports are amended as inputs.
"""

import argparse
import json
import os
import sys

from .api import RENDER_JINJA_MODES, amend, loadns
from .exceptions import StepUpError

LATEX_DELIMITERS = {
    "block_start_string": "<%",
    "block_end_string": "%>",
    "variable_start_string": "<<",
    "variable_end_string": ">>",
    "comment_start_string": "<#",
    "comment_end_string": "#>",
    "line_statement_prefix": "%==",
}


def main(argv=None):
    args = parse_args(argv)
    latex = args.mode == "latex" or (args.mode == "auto" and args.path_out.endswith(".tex"))
    dir_out = os.path.dirname(os.path.abspath(args.path_out))
    before = set(sys.modules)
    variables = vars(loadns(*args.paths_variables, dir_out=dir_out, do_amend=False))
    local_imports = sorted(local_module_paths(set(sys.modules) - before))
    if local_imports:
        amend(inp=local_imports)
    if args.json is not None:
        variables.update(json.loads(args.json))
    with open(args.path_in, encoding="utf-8") as stream:
        source = stream.read()
    rendered = render(source, variables, latex=latex, name=args.path_in)
    with open(args.path_out, "w", encoding="utf-8") as stream:
        stream.write(rendered)
    os.chmod(args.path_out, os.stat(args.path_in).st_mode & 0o7777)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="sc-render-jinja", description="Render a file with Jinja2.")
    parser.add_argument("path_in", help="the template")
    parser.add_argument("paths_variables", nargs="*", help="files with variables, loaded in this order")
    parser.add_argument("path_out", help="the output file")
    parser.add_argument("--mode", choices=RENDER_JINJA_MODES, default="auto", help="the delimiter style")
    parser.add_argument("--json", help="variables as a JSON object (they override those of the files)")
    return parser.parse_args(argv)


def render(source, variables, *, latex=False, name="<template>"):
    try:
        import jinja2
    except ImportError:
        raise StepUpError("render_jinja needs Jinja2 (pip install jinja2, or apt install python3-jinja2).") from None
    options = {"keep_trailing_newline": True, "trim_blocks": True, "undefined": jinja2.StrictUndefined,
               "autoescape": False}
    if latex:
        options.update(LATEX_DELIMITERS)
    template = jinja2.Environment(**options).from_string(source)
    template.filename = name
    return template.render(variables)


def local_module_paths(names):
    """The files of newly imported modules that live under the working directory."""
    here = os.getcwd() + os.sep
    for name in names:
        path = getattr(sys.modules.get(name), "__file__", None)
        if path and os.path.abspath(path).startswith(here):
            yield os.path.relpath(path)


if __name__ == "__main__":
    main()
