"""Reading a workbook that passed the container checks of :mod:`journeydesk.exchange.excel`:
our own export comes back from its hidden sheet (merged with its Journey sheet when that was
edited since); any other workbook is read as a plain grid (:mod:`~.excel_grid`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journeydesk.domain.model import JourneyMap, Persona, Workspace
from journeydesk.exchange.excel_grid import (
    _find_grid,
    _Grid,
    _grid_to_data,
    _map_name,
    _read_grid_cells,
)
from journeydesk.exchange.excel_layout import (
    HIDDEN_SHEET,
    JOURNEY_SHEET,
    XLSX_FORMAT,
    XLSX_VERSION,
    _sha256,
    grid_digest,
)
from journeydesk.exchange.json_map import FormatError, map_from_dict
from journeydesk.exchange.map_formats import ImportedMap


# -- reading our own export --------------------------------------------------------------
@dataclass
class _Embedded:
    """What the hidden sheet holds: the JSON map data and the checksum of the grid."""

    data: dict[str, Any]
    grid_sha256: str


class _Damaged(Exception):
    """The hidden sheet is there but cannot be used; the message says why."""


def _read_book(book: Any, path: Path, ws: Workspace) -> ImportedMap:
    notes: list[str] = []
    embedded: _Embedded | None = None
    exported: tuple[JourneyMap, list[Persona]] | None = None
    if HIDDEN_SHEET in book.sheetnames:
        try:
            embedded = _read_hidden(book[HIDDEN_SHEET])
            exported = map_from_dict(embedded.data, ws)
        except (_Damaged, FormatError) as err:
            embedded = None
            notes.append(f"The map data JourneyDesk keeps inside the workbook is damaged "
                         f"({err}); the map was read from the visible grid, so card details, "
                         "personas and emotion curves are not restored.")

    if embedded is not None and exported is not None:
        journey = book[JOURNEY_SHEET] if JOURNEY_SHEET in book.sheetnames else None
        if journey is None:
            notes.append("The Journey sheet is missing; the map was imported as it was "
                         "exported.")
            return ImportedMap(*exported, notes)
        rows, merges = _read_grid_cells(journey, path)
        if grid_digest(rows) == embedded.grid_sha256:
            return ImportedMap(*exported, notes)
        grid = _grid_to_data(rows, merges, journey.title, _map_name(book, journey, path))
        if grid is None:
            notes.append("The Journey sheet no longer holds a map grid; the map was imported "
                         "as it was exported.")
            return ImportedMap(*exported, notes)
        merged = _merge_with_embedded(grid, embedded.data)
        try:
            m, personas = map_from_dict(merged.data, ws)
        except FormatError:
            notes.append("The Journey sheet was changed after export and no longer fits the "
                         "map's other details; the map was read from the sheet alone.")
            return _from_grid(grid, ws, path, notes)
        notes.append("The Journey sheet was changed after export: stages, lanes and cards "
                     "were read from it; details of the export (card fields, personas, "
                     "emotion points, descriptions) were kept where names and texts still "
                     "match.")
        return ImportedMap(m, personas, notes + merged.warnings)

    grid = _find_grid(book, path)
    if grid is None:
        raise FormatError(path.name, "has no sheet with a journey grid (stage names across the "
                                     "first row from column B, lane names down column A)")
    return _from_grid(grid, ws, path, notes)


def _from_grid(grid: _Grid, ws: Workspace, path: Path, notes: list[str]) -> ImportedMap:
    """The map of a grid; a grid the domain refuses is named with the file."""
    try:
        m, personas = map_from_dict(grid.data, ws)
    except FormatError as err:
        raise FormatError(path.name, f"holds a grid that is not a valid map ({err})") from None
    return ImportedMap(m, personas, notes + grid.warnings)


def _read_hidden(sheet: Any) -> _Embedded:
    """The hidden sheet's map data; raises _Damaged saying what is wrong."""
    header: dict[str, Any] = {}
    chunks: list[str] = []
    in_json = False
    for row in sheet.iter_rows(max_col=2, values_only=True):
        key = row[0] if row else None
        if in_json:
            if key is None:
                break
            if not isinstance(key, str):
                raise _Damaged("a piece of the map data is not text")
            chunks.append(key)
        elif key == "json":
            in_json = True
        elif isinstance(key, str):
            header[key] = row[1] if len(row) > 1 else None
    if header.get("format") != XLSX_FORMAT:
        raise _Damaged("the format marker is missing")
    version = header.get("version")
    if not isinstance(version, (int, float)) or int(version) != version or version < 1:
        raise _Damaged("the format version is missing")
    if version > XLSX_VERSION:
        raise _Damaged(f"it was written by a newer JourneyDesk (version {int(version)})")
    if header.get("chunks") != len(chunks):
        raise _Damaged(f"{len(chunks)} of {header.get('chunks')} pieces found")
    text = "".join(chunks)
    if _sha256(text) != header.get("sha256"):
        raise _Damaged("its checksum does not match")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise _Damaged("it is not valid JSON") from None
    if not isinstance(data, dict):
        raise _Damaged("it is not a map")
    digest = header.get("grid sha256")
    return _Embedded(data, digest if isinstance(digest, str) else "")


# -- an edited Journey sheet with the export's data --------------------------------------
def _step_keys(stage: dict[str, Any]) -> list[Any]:
    """How steps are matched between the export and an edited grid: by name, else position."""
    steps = stage.get("steps") or [{"name": ""}]
    return [step.get("name") or ("#", index) for index, step in enumerate(steps)]


def _locate(stage_by_name: dict[str, dict[str, Any]], entry: dict[str, Any]) -> Any | None:
    """The (stage, step key) of a card or emotion entry of the JSON data, or None."""
    stage = stage_by_name.get(entry.get("stage"))  # type: ignore[arg-type]
    if stage is None:
        return None
    keys = _step_keys(stage)
    ref = entry.get("step")
    if ref is None:
        index = 0
    elif isinstance(ref, int) and not isinstance(ref, bool):
        index = ref
    else:
        names = [s.get("name") for s in stage.get("steps") or []]
        if ref not in names:
            return None
        index = names.index(ref)
    if not 0 <= index < len(keys):
        return None
    return stage["name"], keys[index]


# What a card of the edited grid keeps from the exported card of the same place and text.
_KEPT_CARD_KEYS = ("severity", "priority", "channel", "tags", "colour", "events", "id",
                   "evidence", "source", "value", "effort", "status", "owner", "addresses",
                   "comments")


def _merge_with_embedded(grid: _Grid, exported: dict[str, Any]) -> _Grid:
    """The edited grid's map, with what still matches from the exported data."""
    data = dict(grid.data)
    warnings_ = list(grid.warnings)
    for key in ("version", "name", "description", "owner", "review_by", "review_days", "scale",
                "personas"):
        if key in exported:
            data[key] = exported[key]

    old_stages = {s.get("name"): s for s in exported.get("stages", []) if isinstance(s, dict)}
    for stage in data["stages"]:
        old = old_stages.get(stage["name"])
        if old is None:
            continue
        stage["description"] = old.get("description", "")
        stage["events"] = old.get("events", [])
        old_events = dict(zip(_step_keys(old), [s.get("events", []) for s in
                                                (old.get("steps") or [{}])], strict=True))
        for key, step in zip(_step_keys(stage), stage.get("steps", []), strict=False):
            if key in old_events:
                step["events"] = old_events[key]

    old_lanes = {lane.get("name"): lane.get("type") for lane in exported.get("lanes", [])
                 if isinstance(lane, dict)}
    kept_types = set()
    for lane in data["lanes"]:
        if lane["name"] in old_lanes:
            lane["type"] = old_lanes[lane["name"]]
            kept_types.add(lane["name"])
    # Types of lanes known from the export are not guesses.
    warnings_ = [w for w in warnings_
                 if not any(w.startswith(f"Lane {n!r}:") for n in kept_types)]

    new_stages = {s["name"]: s for s in data["stages"]}
    old_cards: dict[Any, list[dict[str, Any]]] = {}
    for card in exported.get("cards", []):
        if isinstance(card, dict):
            where = _locate(old_stages, card)  # type: ignore[arg-type]
            key = (where, card.get("lane"), card.get("text"))
            old_cards.setdefault(key, []).append(card)
    for card in data["cards"]:
        key = (_locate(new_stages, card), card["lane"], card["text"])
        matches = old_cards.get(key)
        if matches:
            old = matches.pop(0)
            for field_name in _KEPT_CARD_KEYS:
                if field_name in old and field_name not in card:
                    card[field_name] = old[field_name]
    # Links to cards the edited grid no longer has are dropped, not refused.
    kept_ids = {card["id"] for card in data["cards"] if "id" in card}
    for card in data["cards"]:
        if "addresses" in card:
            addresses = card["addresses"]
            kept = ([key for key in addresses if key in kept_ids]
                    if isinstance(addresses, list) else [])
            if kept:
                card["addresses"] = kept
            else:
                del card["addresses"]

    new_places = {}
    for stage in data["stages"]:
        for index, key in enumerate(_step_keys(stage)):
            new_places[stage["name"], key] = index
    emotions = []
    for point in exported.get("emotions", []):
        if not isinstance(point, dict):
            continue
        where = _locate(old_stages, point)  # type: ignore[arg-type]
        if where is None or where not in new_places:
            continue
        entry = {k: v for k, v in point.items() if k not in ("stage", "step")}
        entry["stage"] = where[0]
        if "steps" in new_stages[where[0]]:
            entry["step"] = new_places[where]
        emotions.append(entry)
    data["emotions"] = emotions
    return _Grid(data, warnings_)
