"""Glob patterns with named wildcards (StepUp's ``${*name}``).

A named wildcard ``${*name}`` matches what its sub-pattern matches (``*`` unless another is given)
and captures that text: ``glob("out_${*idx}.txt", idx="[0-9]")`` groups the matches by ``idx``.
When a name occurs more than once in a pattern, every occurrence must match the same text, so
``"${*x}/${*x}.md"`` matches ``a/a.md`` but not ``a/b.md``. The other wildcards are anonymous:
``*`` and ``?`` stay inside one path component, ``[...]`` is a character class (``[!...]`` its
complement) and a component ``**`` matches any number of folders. Paths use ``/`` only.
"""

import glob as _glob
import os
import re

try:
    # StepUp 4 hands out path.Path objects (a str with .name, .stem, .parent, / ...): plans use them.
    from path import Path as _Path
except ImportError:  # without the `path` package, plain strings
    _Path = str

__all__ = (
    "NamedGlob",
    "NamedGlobMatch",
    "has_any_wildcards",
    "has_trailing_recursive_wildcard",
    "wildcard_names",
)

# One wildcard of a pattern: a named one, a (possibly recursive) star, a question mark or a class.
_WILDCARD = re.compile(r"\$\{\*(?P<name>[^}]*)\}|(?P<stars>\*+)|(?P<any>\?)|(?P<cls>\[!?\]?[^\]]*\])")


def has_any_wildcards(pattern):
    """True when the pattern has a wildcard, named or anonymous."""
    return _WILDCARD.search(pattern) is not None


def has_trailing_recursive_wildcard(pattern):
    """True when the last path component of the pattern is ``**``."""
    return pattern.rstrip("/").split("/")[-1] == "**"


def wildcard_names(pattern):
    """The names of the named wildcards in a pattern, each once, in order of appearance."""
    names = []
    for match in _WILDCARD.finditer(pattern):
        name = match.group("name")
        if name is None:
            continue
        _check_name(name, pattern)
        if name not in names:
            names.append(name)
    return names


def _check_name(name, pattern):
    if not name.isidentifier():
        raise ValueError("A named wildcard needs a name made of letters, digits and underscores, got ${*%s} in %s"
                         % (name, pattern))


def _has_anonymous_wildcards(pattern):
    return any(match.group("name") is None for match in _WILDCARD.finditer(pattern))


def _component_regex(component, subs, seen, allow_names):
    parts = []
    position = 0
    for match in _WILDCARD.finditer(component):
        parts.append(re.escape(component[position:match.start()]))
        position = match.end()
        name = match.group("name")
        if name is not None:
            if not allow_names:
                raise ValueError("A sub-pattern cannot contain a named wildcard: %s" % component)
            _check_name(name, component)
            if name in seen:
                parts.append("(?P=%s)" % name)
            else:
                seen.add(name)
                parts.append("(?P<%s>%s)" % (name, _regex(subs.get(name, "*"), {}, set(), False)))
        elif match.group("stars") is not None or match.group("any") is not None:
            parts.append("[^/]*" if match.group("stars") is not None else "[^/]")
        else:
            body = match.group("cls")[1:-1]
            negate = body.startswith("!")
            if negate:
                body = body[1:]
            parts.append("[%s%s]" % ("^" if negate else "", body.replace("\\", "\\\\").replace("[", "\\[")))
    parts.append(re.escape(component[position:]))
    return "".join(parts)


def _regex(pattern, subs, seen, allow_names):
    components = pattern.split("/")
    parts = []
    for index, component in enumerate(components):
        last = index == len(components) - 1
        if component == "**":
            # A whole component "**" spans folders: none or several before the next component.
            parts.append(".*" if last else "(?:[^/]+/)*")
            continue
        parts.append(_component_regex(component, subs, seen, allow_names))
        if not last:
            parts.append("/")
    return "".join(parts)


def _glob_pattern(pattern, subs):
    """The pattern for the glob module: named wildcards replaced by their sub-patterns."""

    def replace(match):
        name = match.group("name")
        return match.group(0) if name is None else subs.get(name, "*")

    return _WILDCARD.sub(replace, pattern)


class NamedGlobMatch:
    """One group of matches: the text of each named wildcard, and the path(s) matched with it.

    The text of a named wildcard ``idx`` is ``match.idx`` (or ``match.mapping["idx"]``).
    ``files`` is one path when the pattern has no anonymous wildcard, else a sorted list.
    """

    def __init__(self, mapping, files):
        self._mapping = dict(mapping)
        self._files = files

    def __getattr__(self, name):
        mapping = self.__dict__.get("_mapping", {})
        if name in mapping:
            return mapping[name]
        raise AttributeError("This match has no named wildcard %r" % name)

    @property
    def mapping(self):
        """The text matched by each named wildcard."""
        return dict(self._mapping)

    @property
    def files(self):
        return self._files

    @property
    def single(self):
        """The one path of this match (an error when there are none or several)."""
        if isinstance(self._files, list):
            if len(self._files) != 1:
                raise ValueError("Expected one matching path, found %d: %r" % (len(self._files), self._files))
            return self._files[0]
        return self._files

    def __eq__(self, other):
        if not isinstance(other, NamedGlobMatch):
            return NotImplemented
        return (self._mapping, self._files) == (other._mapping, other._files)

    __hash__ = None

    def __repr__(self):
        return "NamedGlobMatch(%r, %r)" % (self._mapping, self._files)


class NamedGlob:
    """The paths that match a pattern, grouped by the text of its named wildcards.

    ``glob()`` adds the matches on disk (folders with a trailing ``/``), ``extend(paths)`` the
    matches among given paths. Iterating yields NamedGlobMatch objects when the pattern has named
    wildcards and paths otherwise; ``files()`` and ``matches()`` force either. Truthy when
    something matched.
    """

    def __init__(self, pattern, subs=None):
        self._pattern = os.fspath(pattern)
        if not self._pattern:
            raise ValueError("A glob pattern cannot be empty.")
        self._subs = dict(subs or {})
        self._names = sorted(wildcard_names(self._pattern))
        unknown = sorted(set(self._subs) - set(self._names))
        if unknown:
            raise ValueError("The pattern %s has no named wildcard %s" % (self._pattern, ", ".join(unknown)))
        # A pattern ending in "/" matches folders only (the matches on disk keep their "/").
        self._folders_only = len(self._pattern) > 1 and self._pattern.endswith("/")
        self._regex = re.compile(_regex(self._pattern.rstrip("/") or self._pattern, self._subs, set(), True))
        self._results = {}

    @property
    def pattern(self):
        return self._pattern

    @property
    def subs(self):
        """The sub-pattern of each named wildcard given explicitly (the others match ``*``)."""
        return dict(self._subs)

    @property
    def results(self):
        """{tuple of the named wildcards' texts, in the alphabetical order of their names: set of paths}."""
        return {key: set(paths) for key, paths in self._results.items()}

    def glob(self):
        """Adds the files and folders on disk that match (relative to the working directory)."""
        pattern = _glob_pattern(self._pattern, self._subs)
        try:
            found = _glob.glob(pattern, recursive=True, include_hidden=True)
        except TypeError:  # Python < 3.11 has no include_hidden
            found = _glob.glob(pattern, recursive=True)
        self.extend(path + "/" if os.path.isdir(path) and not path.endswith("/") else path for path in found)
        return self

    def extend(self, paths):
        """Adds the given paths that match; a trailing ``/`` (a folder) is kept but not matched."""
        for path in paths:
            path = os.fspath(path)
            if self._folders_only and not path.endswith("/"):
                continue
            match = self._regex.fullmatch(path.rstrip("/") if path.rstrip("/") else path)
            if match is not None:
                key = tuple(match.group(name) for name in self._names)
                self._results.setdefault(key, set()).add(path)
        return self

    def files(self):
        """Every matching path, sorted."""
        found = set()
        for paths in self._results.values():
            found.update(paths)
        return [_Path(p) for p in sorted(found)]

    def matches(self):
        """The matches grouped by the texts of the named wildcards, sorted by those texts."""
        anonymous = _has_anonymous_wildcards(self._pattern)
        for key, paths in sorted(self._results.items()):
            files = [_Path(p) for p in sorted(paths)] if anonymous else _Path(min(paths))
            yield NamedGlobMatch(dict(zip(self._names, key)), files)

    def single(self):
        """The only matching path (an error when there are none or several)."""
        files = self.files()
        if len(files) != 1:
            raise ValueError("Expected exactly one match of %s, found %d: %r" % (self._pattern, len(files), files))
        return files[0]

    def __bool__(self):
        return bool(self._results)

    def __iter__(self):
        return self.matches() if self._names else iter(self.files())

    def __repr__(self):
        return "NamedGlob(%r, %r: %d match(es))" % (self._pattern, self._subs, len(self.files()))
