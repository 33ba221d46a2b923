"""``${VAR}`` in paths: replaced by the value from the caller's environment at call time.

Every function of ``stepup.core.api`` that takes paths substitutes environment variables in them
(``$VAR`` or ``${VAR}``; ``$$`` is a literal ``$``) and makes each variable it used an
environment dependency of the calling step, so that the step runs again when the value changes.
A named wildcard ``${*name}`` is not a variable and is left alone. Commands are never substituted.
"""

import contextlib
import os
import re
import string

from . import _amend
from .exceptions import EnvVarError
from .utils import normpath_keep_affixes, path_str

__all__ = ("EnvSubstitutor", "subs_env_vars")


class _PathTemplate(string.Template):
    # Case-sensitive; a leading * marks a named wildcard, which is kept as it is.
    flags = re.NOFLAG if hasattr(re, "NOFLAG") else 0
    idpattern = r"(?a:[*]?[_a-zA-Z][_a-zA-Z0-9]*)"


class EnvSubstitutor:
    """Substitutes variables in paths (and normalizes them, keeping a leading ``./`` and a
    trailing ``/``), remembering the names used in ``used_env``."""

    def __init__(self):
        self.used_env = set()

    def __call__(self, path):
        if path is None:
            return None
        text = path_str(path)
        if "$" in text:
            text = self._substitute(text)
        return normpath_keep_affixes(text)

    def _substitute(self, text):
        template = _PathTemplate(text)
        mapping = {}
        for match in template.pattern.finditer(text):
            if match.group("invalid") is not None:
                raise EnvVarError("The path %r has a $ that starts no valid variable name (write $$ for a $)." % text)
            name = match.group("named") or match.group("braced")
            if name is None or name in mapping:
                continue
            if name.startswith("*"):
                mapping[name] = "${%s}" % name
                continue
            value = os.environ.get(name)
            if value is None:
                raise EnvVarError("Undefined shell variable: %s (in the path %r)" % (name, text))
            mapping[name] = value
            self.used_env.add(name)
        return template.substitute(mapping)


@contextlib.contextmanager
def subs_env_vars():
    """A context that yields an EnvSubstitutor and, when it closes, amends the variables used as
    environment dependencies of the calling step."""
    substitutor = EnvSubstitutor()
    yield substitutor
    if substitutor.used_env:
        _amend.send_amend(env=sorted(substitutor.used_env))
