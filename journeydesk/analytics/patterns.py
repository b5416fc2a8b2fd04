"""Stage bindings: event names and glob patterns (``*`` any run, ``?`` one character).

A binding entry with ``*`` or ``?`` is a pattern, compared like ``fnmatch.fnmatchcase`` without
brackets: case-sensitive, ``*`` matches any run of characters (none, ``/`` and line breaks
included), ``?`` exactly one character, and every other character (``[``, ``%``, ``_``, ``\\``...)
only itself.  Any other entry is an event name, compared for equality.  The engines turn
patterns into SQL ``LIKE ... ESCAPE '\\'`` with ``%``, ``_`` and ``\\`` escaped, so that they stay
literal; :func:`matches` is the same test in Python (what a pattern matches, for people).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

WILDCARDS = ("*", "?")
LIKE_ESCAPE = "\\"


def is_pattern(entry: str) -> bool:
    """Whether a binding entry is a glob pattern rather than an event name."""
    return any(w in entry for w in WILDCARDS)


def split_binding(entries: Iterable[str]) -> tuple[list[str], list[str]]:
    """(event names, patterns) of a binding, each sorted and without repeats."""
    names, patterns = set(), set()
    for entry in entries:
        (patterns if is_pattern(entry) else names).add(entry)
    return sorted(names), sorted(patterns)


def like_pattern(pattern: str) -> str:
    """``pattern`` as the operand of ``LIKE ... ESCAPE '\\'`` (``*`` -> ``%``, ``?`` -> ``_``)."""
    out = []
    for c in pattern:
        if c == "*":
            out.append("%")
        elif c == "?":
            out.append("_")
        elif c in ("%", "_", LIKE_ESCAPE):
            out.append(LIKE_ESCAPE + c)
        else:
            out.append(c)
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                              for c in pattern), re.DOTALL)


def matches(entry: str, name: str) -> bool:
    """Whether the event ``name`` belongs to a binding entry (a name or a pattern): what the
    inspector shows a pattern matches, exactly as the engines match it."""
    return bool(_regex(entry).fullmatch(name)) if is_pattern(entry) else entry == name
