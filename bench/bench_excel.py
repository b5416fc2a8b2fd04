"""Excel export benchmark: a 2,000-card map against bare openpyxl writing the same cells.

The floor writes, in the same run and the same (normal, not write-only) openpyxl mode, exactly
the cell values our export writes on its visible sheets (Journey grid, Emotions, Cards, Stages,
Lanes, Personas) with the same fills on the grid, and saves to memory. What ours adds on top is
our own work: building the texts, styles and borders, widths and heights, merges, tables, the
chart, print set-up and the hidden JSON copy of the map.
"""

from __future__ import annotations

import io
import itertools
import tempfile
from pathlib import Path

from harness import Result, median_seconds

from journeydesk.domain.model import (
    Card,
    EmotionPoint,
    JourneyMap,
    Lane,
    LaneType,
    Persona,
    Stage,
    Step,
    Workspace,
)
from journeydesk.exchange.excel import _WorkbookWriter, write_map_xlsx

# 10 stages x 2 steps x 10 lanes x 10 cards = 2,000 cards
STAGES, STEPS, LANES, PER_CELL = 10, 2, 10, 10


def big_workspace() -> tuple[Workspace, JourneyMap]:
    """A 2,000-card map with realistic text, tags, severities, priorities (shown in the
    opportunities lanes), card colours, two personas and their curves (shown in the emotions
    lane: rich text)."""
    lane_types = list(LaneType)
    personas = [Persona(name="Maria", role="Buyer", goals=["Save time", "Look good"]),
                Persona(name="Ken", role="Developer", frustrations=["Slow pages"])]
    m = JourneyMap(name="Big", stages=[
        Stage(name=f"Stage {i}", events=[f"event_{i}"],
              steps=[Step(name=f"Step {i}.{j}") for j in range(STEPS)]) for i in range(STAGES)],
        lanes=[Lane(name=f"Lane {k}", type=lane_types[k % len(lane_types)])
               for k in range(LANES)], persona_ids=[p.id for p in personas])
    for step, lane in itertools.product(m.all_steps(), m.lanes):
        for p in range(PER_CELL):
            card = Card(step.id, lane.id, f"Customer does thing {p} and feels something about it",
                        position=p, tags=["workshop", f"t{p}"], severity=1 + p % 5,
                        channel="web", priority=("low", "medium", "high")[p % 3],
                        colour="#e07a1f" if p % 4 == 0 else None)
            m.cards[card.id] = card
    for index, step in enumerate(m.all_steps()):
        for persona in personas:
            point = EmotionPoint(step.id, float(index % 5 - 2), persona.id, label="meh")
            m.emotions[point.id] = point
    ws = Workspace(maps={m.id: m}, personas={p.id: p for p in personas})
    return ws, m


def floor_writer(m: JourneyMap, ws: Workspace):  # noqa: ANN201 - a closure for the harness
    """Bare openpyxl writing the same visible cells, with the grid's fills, to memory."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    ours = _WorkbookWriter(m, ws, None)
    grid, _ = ours.journey_grid()
    sheets = [(s.title, [s.headers, *s.rows]) for s in ours.data_sheets()]
    emotion_rows = [["stage", "step", "persona", "score", "label"]]
    for point in m.emotions.values():
        stage, index = ours.places[point.step_id]
        emotion_rows.append([stage.name, stage.steps[index].name,
                             ours.persona_names.get(point.persona_id, ""), point.score,
                             point.label])
    sheets.insert(0, ("Emotions", emotion_rows))
    fills = [PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)
             for rgb in ("EAF2FB", "FDECEC", "F1EEF8")]

    def write() -> None:
        book = Workbook()
        journey = book.active
        journey.title = "Journey"
        for r, row in enumerate(grid, start=1):
            for c, value in enumerate(row, start=1):
                cell = journey.cell(r, c, value or None)
                cell.fill = fills[(r + c) % len(fills)]
        for title, rows in sheets:
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
        book.save(io.BytesIO())

    return write


def run() -> list[Result]:
    """Run the Excel export benchmark and return its result."""
    ws, m = big_workspace()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.xlsx"
        ours = median_seconds(lambda: write_map_xlsx(m, ws, path), repeat=7, warmup=1)
        floor = median_seconds(floor_writer(m, ws), repeat=7, warmup=1)
    return [Result("Excel export (2,000 cards)", ours, floor, max_ratio=2)]
