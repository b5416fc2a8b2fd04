"""One persona as JSON: format ``"journeydesk.persona"``, version 1 (see docs/json-format.md).

A persona file carries a single persona from one workspace to another::

    {"format": "journeydesk.persona", "version": 1, "persona": {...}}

The ``"persona"`` object is exactly a persona of a map file (``$.personas[]``), so the fields are
written and checked by the map format's own code in :mod:`journeydesk.exchange.json_map`.

Import (:func:`loads_persona`, :func:`persona_from_dict`) builds a *new* persona with a fresh id;
when the workspace already has a persona of that name, the new one gets the first free name
(``"Maria (2)"``).  The workspace passed in is only read; the caller adds the persona with
``AddPersonaCommand(persona)``.  As with map files, unknown keys are ignored and a file whose
``"version"`` is newer than :data:`FORMAT_VERSION` is refused.
"""

from __future__ import annotations

import json
from typing import Any

from journeydesk.domain.model import Persona, Workspace, unique_name
from journeydesk.exchange.json_map import (
    FormatError,
    _kind,
    _persona_to_dict,
    _read_persona,
    _required,
)

FORMAT_NAME = "journeydesk.persona"
FORMAT_VERSION = 1


# =========================================================================== export
def persona_to_dict(p: Persona) -> dict[str, Any]:
    """The export form of ``p`` as plain JSON data; importing it gives back every field."""
    return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "persona": _persona_to_dict(p)}


def dumps_persona(p: Persona) -> str:
    """``p`` as the text of a persona file (UTF-8 friendly, indented, ending in a newline)."""
    return json.dumps(persona_to_dict(p), indent=2, ensure_ascii=False) + "\n"


# =========================================================================== import
def loads_persona(text: str, ws: Workspace) -> Persona:
    """Parse the text of a persona file; see :func:`persona_from_dict`.

    Text that is not JSON at all raises FormatError at path ``$`` giving the line and column.
    """
    return persona_from_dict(parse_json(text), ws)


def persona_from_dict(data: Any, ws: Workspace) -> Persona:
    """A new persona (fresh id) with every field of the parsed persona file ``data``.

    If ``ws`` already has a persona of the file's name, the new one is renamed with
    :func:`unique_name` (``"Maria"`` -> ``"Maria (2)"``).  ``ws`` is never modified; add the
    result with ``AddPersonaCommand(persona)``.  Unknown keys are ignored.  Raises FormatError
    naming the JSON path of the first problem found.
    """
    check_header(data, FORMAT_NAME, FORMAT_VERSION, "persona file")
    entry = _required(data, "persona", "$")
    if not isinstance(entry, dict):
        raise FormatError("$.persona", f"expected an object, got {_kind(entry)}")
    persona = _read_persona(entry, "$.persona")
    persona.name = unique_name(persona.name, {p.name for p in ws.personas.values()})
    return persona


# =========================================================================== shared helpers
# Both are written so that any JourneyDesk JSON format can use them; json_map.loads_map and
# json_map._check_header do the same job for map files inline.
def parse_json(text: str) -> Any:
    """The JSON value of ``text``; FormatError at ``$`` (with line and column) if it is not JSON."""
    # Editors on Windows like to save a byte-order mark, which json refuses.
    text = text.removeprefix("\ufeff")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise FormatError(
            "$", f"not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
    except RecursionError:
        raise FormatError("$", "not readable: the JSON is nested too deeply") from None


def check_header(data: Any, format_name: str, format_version: int, what: str) -> None:
    """Refuse ``data`` unless it is an object saying ``format_name`` at a version we can read.

    ``what`` names the kind of file in messages, e.g. ``"persona file"``.
    """
    if not isinstance(data, dict):
        raise FormatError("$", f"expected a JSON object, got {_kind(data)}")
    if "format" not in data:
        raise FormatError("$.format", f"is missing; a JourneyDesk {what} says {format_name!r}")
    if data["format"] != format_name:
        raise FormatError(
            "$.format",
            f"expected {format_name!r}, got {data['format']!r}: not a JourneyDesk {what}",
        )
    version = _required(data, "version", "$")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FormatError("$.version", f"expected a whole number from 1, got {version!r}")
    if version > format_version:
        raise FormatError(
            "$.version",
            f"this file is from a newer JourneyDesk (format version {version}; this JourneyDesk "
            f"reads up to version {format_version}); update JourneyDesk to open it",
        )
