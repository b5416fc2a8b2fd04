"""Reading a plain grid from a sheet (see :mod:`journeydesk.exchange.excel`): stage names
across the first row, lane names down the first column, cards in the cells separated by blank
lines; lane types are guessed from lane names.  The result is JSON map data with notes for the
user.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeydesk.domain.model import LANE_TYPE_LABELS, LaneType, unique_name
from journeydesk.exchange.excel_layout import (
    _SEVERITY_PREFIX_RE,
    CARDS_SHEET,
    JOURNEY_SHEET,
    LANES_SHEET,
    STAGES_SHEET,
    _trim,
    cell_text,
    is_emotion_paragraph,
    split_priority,
)

# How much of a sheet is read as a grid (more is left out, with a note).
MAX_GRID_ROWS = 1_000                       # lanes (plus headers) read from a grid
MAX_GRID_COLUMNS = 1_000                    # steps (plus the lane column) read from a grid


# -- reading a grid ----------------------------------------------------------------------
@dataclass
class _Grid:
    """A map read from a grid, in the JSON map format, with notes for the user."""

    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


_OUR_SHEETS = {JOURNEY_SHEET, CARDS_SHEET, LANES_SHEET, STAGES_SHEET}
Merge = tuple[int, int, int, int]  # min_row, min_col, max_row, max_col (1-based)


def _find_grid(book: Any, path: Path) -> _Grid | None:
    """The first sheet holding a usable grid (the Journey sheet first when there is one)."""
    sheets = [s for s in book.worksheets if getattr(s, "sheet_state", "visible") == "visible"]
    if _OUR_SHEETS.issubset(book.sheetnames):
        # Our own export without its hidden copy: the data sheets are no grids to guess at.
        sheets = [s for s in sheets if s.title == JOURNEY_SHEET]
    sheets.sort(key=lambda s: s.title != JOURNEY_SHEET)
    for index, sheet in enumerate(sheets):
        rows, merges = _read_grid_cells(sheet, path)
        grid = _grid_to_data(rows, merges, sheet.title, _map_name(book, sheet, path))
        if grid is not None:
            if index > 0:
                grid.warnings.insert(0, f"The map was read from sheet {sheet.title!r}; the "
                                        "sheets before it hold no journey grid.")
            if len(rows) >= MAX_GRID_ROWS or any(len(r) >= MAX_GRID_COLUMNS for r in rows):
                grid.warnings.append(f"Sheet {sheet.title!r} is larger than {MAX_GRID_ROWS} "
                                     f"rows or {MAX_GRID_COLUMNS} columns; only that much "
                                     "was read.")
            return grid
    return None


def _read_grid_cells(sheet: Any, path: Path) -> tuple[list[list[str]], list[Merge]]:
    """The sheet's texts (at most MAX_GRID_ROWS x MAX_GRID_COLUMNS) and its merged ranges."""
    rows: list[list[str]] = []
    # The <dimension> a file declares may be wrong or absent: read the rows as they are.
    sheet.reset_dimensions()
    for values in sheet.iter_rows(values_only=True):
        if len(rows) >= MAX_GRID_ROWS:
            break
        rows.append([cell_text(v) for v in values[:MAX_GRID_COLUMNS]])
    return _trim(rows), _merged_ranges(sheet, path)


def _merged_ranges(sheet: Any, path: Path) -> list[Merge]:
    """The merged ranges of a read-only sheet (openpyxl reads them only in normal mode).

    The sheet's part is streamed with defusedxml, keeping no more than one row in memory.
    """
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils.cell import range_boundaries

    part = getattr(sheet, "_worksheet_path", None)
    if part is None:
        return []
    merges: list[Merge] = []
    with zipfile.ZipFile(path) as archive, archive.open(part.lstrip("/")) as source:
        for _, element in iterparse(source, events=("end",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "mergeCell":
                ref = element.get("ref", "")
                try:
                    min_col, min_row, max_col, max_row = range_boundaries(ref)
                except (ValueError, TypeError):
                    continue
                if None not in (min_col, min_row, max_col, max_row):
                    merges.append((min_row, min_col, max_row, max_col))  # type: ignore[arg-type]
            if tag in ("row", "mergeCell"):
                element.clear()
    return merges


_GENERIC_SHEET = re.compile(
    r"^(sheet|tabelle|feuil|hoja|foglio|blad|planilha|arkusz|лист|journey)\s*\d*$", re.I)


def _map_name(book: Any, sheet: Any, path: Path) -> str:
    """The workbook's title, else the sheet's title unless it is a default one, else the
    file name."""
    title = getattr(getattr(book, "properties", None), "title", None)
    if isinstance(title, str) and title.strip():
        return title.strip()
    if not _GENERIC_SHEET.match(sheet.title.strip()):
        return sheet.title.strip()
    return path.stem.strip() or "Imported map"


def _grid_to_data(rows: list[list[str]], merges: list[Merge], title: str, name: str
                  ) -> _Grid | None:
    """A plain grid as JSON map data, or None when the sheet holds no usable grid."""
    if len(rows) < 2:
        return None
    notes: list[str] = []
    width = len(rows[0])
    second = rows[1] if len(rows) > 1 else []
    step_row = (second[0].strip().lower() in ("", "step", "steps")
                and any(v.strip() for v in second[1:]) and len(rows) > 2)
    first_lane = 2 if step_row else 1

    # Row 1 merges: a stage over several columns.
    span_end = {c1: c2 for (r1, c1, _r2, c2) in merges if r1 == 1 and c1 >= 2}
    covered = {c for c1, c2 in span_end.items() for c in range(c1 + 1, c2 + 1)}

    def column_has_content(col: int) -> bool:
        return any(col < len(row) and row[col].strip() for row in rows[1:])

    # Columns (0-based) grouped into stages: [name, [columns]].
    groups: list[list[Any]] = []
    col = 1
    while col < width:
        header = rows[0][col].strip()
        if col + 1 in covered:
            col += 1
            continue
        columns = list(range(col, min(width, span_end.get(col + 1, col + 1))))
        if header:
            if groups and groups[-1][0] == header and (col + 1) not in span_end:
                groups[-1][1].extend(columns)  # the same name again: one stage, more steps
            else:
                groups.append([header, columns])
        elif any(column_has_content(c) for c in columns):
            if groups:
                notes.append(f"Column {_letter(col)} of {title!r} has no stage name; it was "
                             f"read as another step of stage {groups[-1][0]!r}.")
                groups[-1][1].extend(columns)
            else:
                groups.append([f"Stage {len(groups) + 1}", columns])
                notes.append(f"Column {_letter(col)} of {title!r} has no stage name; it was "
                             f"called {groups[-1][0]!r}.")
        col = columns[-1] + 1

    if not groups:
        return None

    stages: list[dict[str, Any]] = []
    place: dict[int, tuple[str, int]] = {}  # column -> (stage name, step index)
    taken_stages: set[str] = set()
    for header, columns in groups:
        stage_name = unique_name(header, taken_stages)
        if stage_name != header:
            notes.append(f"A second stage named {header!r} was renamed {stage_name!r}.")
        taken_stages.add(stage_name)
        steps: list[dict[str, Any]] = []
        taken_steps: set[str] = set()
        for index, column in enumerate(columns):
            step_name = second[column].strip() if step_row and column < len(second) else ""
            if step_name:
                unique = unique_name(step_name, taken_steps)
                if unique != step_name:
                    notes.append(f"A second step named {step_name!r} in stage "
                                 f"{stage_name!r} was renamed {unique!r}.")
                step_name = unique
                taken_steps.add(step_name)
            steps.append({"name": step_name, "events": []})
            place[column] = (stage_name, index)
        stage: dict[str, Any] = {"name": stage_name, "description": "", "events": []}
        if len(steps) > 1 or steps[0]["name"]:
            stage["steps"] = steps
        stages.append(stage)

    lanes: list[dict[str, Any]] = []
    cards: list[dict[str, Any]] = []
    lane_rows: list[tuple[dict[str, Any], list[str]]] = []
    taken_lanes: set[str] = set()
    for row_index in range(first_lane, len(rows)):
        row = rows[row_index]
        lane_name = row[0].strip()
        content = any(row[c].strip() for c in place if c < len(row))
        if not lane_name:
            if not content:
                continue
            if lane_rows:
                notes.append(f"Row {row_index + 1} of {title!r} has no lane name; its cards "
                             f"were added to lane {lane_rows[-1][0]['name']!r}.")
                lane_rows.append((lane_rows[-1][0], row))
                continue
            lane_name = "Lane 1"
            notes.append(f"Row {row_index + 1} of {title!r} has no lane name; it was called "
                         f"{lane_name!r}.")
        unique = unique_name(lane_name, taken_lanes)
        if unique != lane_name:
            notes.append(f"A second lane named {lane_name!r} was renamed {unique!r}.")
        taken_lanes.add(unique)
        lane_type, note = guess_lane_type(unique)
        notes.append(note)
        lane = {"name": unique, "type": lane_type.value}
        lanes.append(lane)
        lane_rows.append((lane, row))

    if not lanes:
        return None

    for column in sorted(place):
        stage_name, index = place[column]
        stage = next(s for s in stages if s["name"] == stage_name)
        for lane, row in lane_rows:
            text = row[column] if column < len(row) else ""
            for found_text in split_cards(text):
                if (lane["type"] == LaneType.EMOTIONS.value
                        and is_emotion_paragraph(found_text)):
                    continue  # the export's emotion lines: points, not a card
                paragraph, priority = found_text, None
                if lane["type"] == LaneType.OPPORTUNITIES.value:
                    paragraph, priority = split_priority(found_text)
                card: dict[str, Any] = {"stage": stage_name, "lane": lane["name"]}
                if priority is not None:
                    card["priority"] = priority
                if "steps" in stage:
                    card["step"] = index
                found = (_SEVERITY_PREFIX_RE.match(paragraph)
                         if lane["type"] == LaneType.PAIN_POINTS.value else None)
                if found:
                    card["severity"] = int(found.group(1))
                card["text"] = paragraph[found.end():] if found else paragraph
                cards.append(card)
    # Cards go cell by cell (lane rows of one step, then the next step); order within a
    # cell is the order above.
    lane_rank = {lane["name"]: i for i, lane in enumerate(lanes)}
    col_rank = {place[c]: i for i, c in enumerate(sorted(place))}
    cards.sort(key=lambda c: (col_rank[c["stage"], c.get("step", 0)], lane_rank[c["lane"]]))

    data = {"format": "journeydesk.map", "version": 1, "name": name, "description": "",
            "personas": [], "stages": stages, "lanes": lanes, "cards": cards, "emotions": []}
    return _Grid(data, notes)


def split_cards(text: str) -> list[str]:
    """A cell's cards: paragraphs separated by blank lines, trimmed, empty ones dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [part.strip() for part in re.split(r"\n[ \t]*\n", text) if part.strip()]


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column + 1)


# -- lane types from lane names ----------------------------------------------------------
_LANE_WORDS: list[tuple[LaneType, str]] = [
    (LaneType.PAIN_POINTS, r"pain\s*points?|pains?|problems?|frustrations?|issues?|"
                           r"barriers?|obstacles?"),
    (LaneType.EMOTIONS, r"emotions?|emotional|feelings?|feels|mood"),
    (LaneType.TOUCHPOINTS, r"touch\s*-?\s*points?|channels?|interactions?"),
    (LaneType.THOUGHTS, r"thoughts?|thinks?|thinking|questions?"),
    (LaneType.OPPORTUNITIES, r"opportunit(?:y|ies)|ideas?|improvements?|solutions?"),
    (LaneType.BACKSTAGE, r"back\s*-?\s*stage|back\s*office|behind\s+the\s+scenes|"
                         r"support\s+process(?:es)?"),
    (LaneType.NOTES, r"notes?|comments?|remarks?"),
    (LaneType.METRICS, r"metrics?|kpis?|measures?|numbers"),
    (LaneType.STORYBOARD, r"story\s*-?\s*boards?|pictures?|photos?|images?|sketch(?:es)?|"
                          r"screenshots?|visuals?"),
    (LaneType.ACTIONS, r"actions?|activit(?:y|ies)|doing|does|tasks?|steps?"),
]
_LANE_PATTERNS = [(t, re.compile(rf"\b(?:{words})\b", re.I)) for t, words in _LANE_WORDS]


def guess_lane_type(name: str) -> tuple[LaneType, str]:
    """The lane type a lane name suggests (the word that comes first wins), with a note
    for the user; names that suggest nothing are actions."""
    best: tuple[int, LaneType] | None = None
    for lane_type, pattern in _LANE_PATTERNS:
        found = pattern.search(name)
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), lane_type)
    if best is None:
        return LaneType.ACTIONS, (f"Lane {name!r}: no lane type recognised in its name; "
                                  "made it an actions lane.")
    label = LANE_TYPE_LABELS[best[1]].lower()
    return best[1], f"Lane {name!r}: type guessed from its name: {label}."
