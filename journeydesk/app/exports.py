"""Files going out: maps and personas in the exchange formats.

Pictures (PNG, SVG, PDF) are drawn by Qt: the app draws them itself; the command line loads
:mod:`journeydesk.gui.map_picture` by name when one is asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from journeydesk.domain.model import JourneyMap, Persona, Workspace
from journeydesk.exchange import json_persona
from journeydesk.exchange.files import temp_beside, write_atomic
from journeydesk.exchange.map_formats import (
    PICTURE_FORMATS,
    WRITE_FORMATS,
    ExportCancelled,
    Progress,
    write_map,
)
from journeydesk.exchange.pptx_slides import funnel_caption  # pictures name their numbers so

__all__ = ["MAP_EXPORT_FORMATS", "PERSONA_EXPORT_FORMATS", "PICTURE_FORMATS",
           "ExportCancelled", "Progress", "export_map", "funnel_caption", "export_persona_json",
           "is_picture", "temp_beside", "write_atomic"]

MAP_EXPORT_FORMATS = (*WRITE_FORMATS, *PICTURE_FORMATS)
PERSONA_EXPORT_FORMATS = (".json", ".pdf", ".png")


def is_picture(path: str | Path) -> bool:
    """Whether ``path`` names a picture format (drawn by Qt)."""
    return Path(path).suffix.lower() in PICTURE_FORMATS


def export_map(journey_map: JourneyMap, ws: Workspace, path: str | Path, *,
               progress: Progress | None = None, metrics: dict[str, Any] | None = None,
               flows: Any = None) -> None:
    """Write a map as JSON, Excel, PowerPoint, Mermaid or CSV (the format follows the
    extension); ``metrics`` (the ``metrics --json`` form) adds the Excel Metrics sheet or the
    PowerPoint funnel slide and the numbers on its stage headers; ``flows`` (the
    :class:`~journeydesk.app.paths.Flows` shown, or their ``flows --json`` form) the moves
    between stages over a PowerPoint's stage headers."""
    if flows is not None and not isinstance(flows, dict):
        flows = flows.to_json()
    write_map(journey_map, ws, Path(path), progress=progress, metrics=metrics, flows=flows)


def export_persona_json(persona: Persona, path: str | Path) -> None:
    """Write a persona file (for copying a persona to another workspace)."""
    write_atomic(Path(path), json_persona.dumps_persona(persona))
