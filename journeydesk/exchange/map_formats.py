"""Which file formats a map can be written to and read from, chosen by the file's extension.

This is the one place the command line and the app ask; pictures (.png, .svg, .pdf) need Qt and
are handled by ``journeydesk.gui.map_picture``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from journeydesk.domain.model import JourneyMap, Persona, Workspace

# progress(done, total) -> False to cancel
Progress = Callable[[int, int], bool]

WRITE_FORMATS = (".json", ".xlsx", ".pptx", ".mmd", ".csv")
READ_FORMATS = (".json", ".xlsx", ".mmd")
PICTURE_FORMATS = (".png", ".svg", ".pdf")


class ExportCancelled(Exception):
    """The user cancelled a long export; the target file was left as it was."""


@dataclass
class ImportedMap:
    """A map read from a file, the personas it brings, and notes for the user."""

    map: JourneyMap
    personas: list[Persona]
    warnings: list[str] = field(default_factory=list)


def write_map(m: JourneyMap, ws: Workspace, path: Path, progress: Progress | None = None,
              metrics: dict | None = None, *, flows: dict | None = None) -> None:
    """Write ``m`` to ``path`` in the format its extension names (atomically).

    ``metrics`` (the ``metrics --json`` form of a bound dataset) adds the funnel numbers
    where the format has room for them (Excel's "Metrics" sheet; a PowerPoint funnel slide
    and the numbers on the map slides' stage headers); ``flows`` (the ``flows --json`` form)
    the moves between stages above a PowerPoint's stage headers (other formats ignore it).
    """
    suffix = path.suffix.lower()
    if suffix == ".json":
        from journeydesk.exchange.files import write_atomic
        from journeydesk.exchange.json_map import dumps_map

        write_atomic(path, dumps_map(m, ws))
    elif suffix == ".xlsx":
        from journeydesk.exchange.excel import write_map_xlsx

        write_map_xlsx(m, ws, path, progress=progress, metrics=metrics)
    elif suffix == ".pptx":
        from journeydesk.exchange.pptx_export import write_map_pptx

        write_map_pptx(m, ws, path, progress=progress, metrics=metrics, flows=flows)
    elif suffix == ".mmd":
        from journeydesk.exchange.files import write_atomic
        from journeydesk.exchange.mermaid import dumps_journey

        write_atomic(path, dumps_journey(m, ws))
    elif suffix == ".csv":
        from journeydesk.exchange.csv_cards import write_cards_csv

        write_cards_csv(m, path)
    else:
        raise ValueError(f"cannot write a map as {suffix or 'a file without extension'}")


def read_map(path: Path, ws: Workspace) -> ImportedMap:
    """Read a map file (``ws`` is only read: for persona matching and free names).

    Raises ``FormatError`` (a ValueError naming the place) for a malformed file and OSError
    when it cannot be read.
    """
    suffix = path.suffix.lower()
    if suffix == ".json":
        from journeydesk.exchange.json_map import loads_map

        m, personas = loads_map(_text(path), ws)
        return ImportedMap(m, personas)
    if suffix == ".xlsx":
        from journeydesk.exchange.excel import read_map_xlsx

        return read_map_xlsx(path, ws)
    if suffix == ".mmd":
        from journeydesk.exchange.mermaid import loads_journey

        return loads_journey(_text(path), ws)
    raise ValueError(f"cannot read a map from {suffix or 'a file without extension'}")


def _text(path: Path) -> str:
    from journeydesk.exchange.json_map import FormatError

    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError("$", f"{path.name} is not UTF-8 text") from None
