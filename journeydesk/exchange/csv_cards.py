"""A map's cards as CSV: one row per card, the columns of the Excel export's "Cards" sheet.

The file is UTF-8 with a byte-order mark, which Excel needs to read it as UTF-8 rather than the
local code page, and a header row (:data:`COLUMNS`).  Rows follow the grid's reading order
(stage, step, lane, position in the cell).  A card text of several lines stays one quoted field.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(...)`` in a card text would become a live link), and leading tabs, carriage
returns, spaces or line breaks can hide such a start (LibreOffice's "trim spaces" drops them).
Following OWASP's advice on CSV injection, every cell of user text that starts with one of
these characters, also after such white space, is written with a single quote ``'`` in front;
the spreadsheet then shows it as text.  See docs/mermaid-csv.md.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from journeydesk.domain.model import LANE_TYPE_LABELS, Card, JourneyMap, LaneType
from journeydesk.exchange.files import write_atomic
from journeydesk.exchange.living_columns import LIVING_HEADERS, living_values

COLUMNS = (
    "stage", "step", "lane", "lane type", "order", "text",
    "severity", "priority", "channel", "tags", *LIVING_HEADERS,
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def write_cards_csv(m: JourneyMap, path: Path) -> None:
    """Write the cards of ``m`` to ``path`` as CSV, atomically (all or the old file stays)."""
    write_atomic(path, BOM + dumps_cards_csv(m))


def dumps_cards_csv(m: JourneyMap) -> str:
    """The CSV text (without the byte-order mark): a header, then one row per card."""
    buffer = io.StringIO(newline="")
    # csv's default line ending is CRLF, as RFC 4180 and Excel expect.
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    places = {step.id: (stage.name, step.name) for stage in m.stages for step in stage.steps}
    lanes = {lane.id: lane for lane in m.lanes}
    for card in m.ordered_cards():
        stage_name, step_name = places[card.step_id]
        lane = lanes[card.lane_id]
        # Read as in the Excel export's "Cards" sheet ("Pain points"): one source for both.
        lane_type = LANE_TYPE_LABELS[LaneType(lane.type)]
        writer.writerow(_row(card, stage_name, step_name, lane.name, lane_type)
                        + [_living_cell(value) for value in living_values(card, m)])
    return buffer.getvalue()


def _row(card: Card, stage: str, step: str, lane: str, lane_type: str) -> list[str | int]:
    return [
        safe_cell(stage),
        safe_cell(step),
        safe_cell(lane),
        lane_type,
        card.position + 1,  # 1, 2, 3... within the cell, as people count
        safe_cell(card.text),
        "" if card.severity is None else card.severity,
        card.priority or "",
        safe_cell(card.channel or ""),
        safe_cell(", ".join(card.tags)),
    ]


def _living_cell(value: str | int | None) -> str | int:
    """Evidence, source, scores, status, owner, addressed cards: user text made safe."""
    if value is None:
        return ""
    return safe_cell(value) if isinstance(value, str) else value


def safe_cell(text: str) -> str:
    """``text`` with a ``'`` in front when a spreadsheet would take it for a formula, also
    after leading spaces or line breaks (LibreOffice's "trim spaces" removes them first)."""
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text
