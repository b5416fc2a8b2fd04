"""New maps from the shipped templates, and copies of maps (new ids, same content)."""

from __future__ import annotations

from pathlib import Path

from journeydesk.app.imports import ImportFailed
from journeydesk.domain.model import JourneyMap, Persona, Workspace
from journeydesk.exchange.json_map import FormatError, loads_map, map_from_dict, map_to_dict


def map_from_template(path: str | Path, ws: Workspace) -> tuple[JourneyMap, list[Persona]]:
    """The map of a template file and the personas it brings that ``ws`` lacks.

    ImportFailed says why a template cannot be read."""
    try:
        return loads_map(Path(path).read_text(encoding="utf-8"), ws)
    except (FormatError, OSError) as exc:
        raise ImportFailed(str(exc)) from None


def copy_of_map(journey_map: JourneyMap, ws: Workspace) -> tuple[JourneyMap, list[Persona]]:
    """A copy of ``journey_map`` with new ids (its personas are shared, not copied)."""
    return map_from_dict(map_to_dict(journey_map, ws), ws)
