"""Tiled PDFs: headers repeated on every page, cards never split, pages filled; read back."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from journeydesk.domain.commands import AddMapCommand
from journeydesk.domain.model import Card, JourneyMap, Lane, LaneType, Stage, Step
from journeydesk.gui import map_picture
from journeydesk.gui.canvas.theme import COLUMN_W
from journeydesk.store.document import Document
from journeydesk.store.workspace_file import WorkspaceFile

TODAY = dt.date(2026, 12, 7)
LANES = [("Doing lane", LaneType.ACTIONS), ("Feeling lane", LaneType.EMOTIONS),
         ("Hurting lane", LaneType.PAIN_POINTS), ("Thinking lane", LaneType.THOUGHTS),
         ("Backstage lane", LaneType.BACKSTAGE), ("Noting lane", LaneType.NOTES)]


def big_map() -> JourneyMap:
    """Ten stages (fourteen step columns) by six lanes of one to three cards a cell, some of
    several lines: wider and taller than an A4 page."""
    stages = [Stage(name=f"Phase {chr(65 + i)}",
                    steps=[Step(name=f"Step {chr(65 + i)}{j}") for j in range(1 + (i % 3 == 0))])
              for i in range(10)]
    lanes = [Lane(name=name, type=kind) for name, kind in LANES]
    m = JourneyMap(name="Big journey", stages=stages, lanes=lanes)
    n = 0
    for column, step in enumerate(m.all_steps()):
        for row, lane in enumerate(lanes):
            for i in range(1 + (column + row) % 3):
                words = " ".join(["lorem ipsum dolor"] * (1 + (column * 7 + row + i) % 4))
                card = Card(step.id, lane.id, f"K{n:04d} {words} end{n:04d}", position=i)
                m.cards[card.id] = card
                n += 1
    return m


@pytest.fixture
def document(tmp_path: Path, qapp):  # noqa: ANN001, ANN201
    doc = Document(WorkspaceFile.open(tmp_path / "tiles.jdesk", create=True))
    doc.execute(AddMapCommand(big_map(), []))
    yield doc
    doc.close()


def test_page_breaks_cut_between_extents_and_fill_pages() -> None:
    columns = [(180.0 + COLUMN_W * i, 180.0 + COLUMN_W * (i + 1)) for i in range(10)]
    cuts = map_picture.page_breaks(columns, 180.0, 180.0 + 10 * COLUMN_W + 12, 800.0)
    # three whole columns a page (684 of 800), the last page takes the rest and the margin
    assert cuts == [180.0 + COLUMN_W * k for k in (0, 3, 6, 9)] + [180.0 + 10 * COLUMN_W + 12]
    # cards with gaps between them: the cut goes in the middle of the gap before the card
    # that does not fit whole
    cards = [(0.0, 300.0), (310.0, 600.0), (610.0, 900.0)]
    assert map_picture.page_breaks(cards, 0.0, 900.0, 650.0) == [0.0, 605.0, 900.0]
    # overlapping cards (of neighbouring columns) stay whole together
    assert map_picture.page_breaks([(0.0, 300.0), (200.0, 500.0), (520.0, 700.0)],
                                   0.0, 700.0, 550.0) == [0.0, 510.0, 700.0]
    # a card taller than a page cannot stay whole: cut where the page ends
    assert map_picture.page_breaks([(0.0, 1000.0)], 0.0, 1000.0, 400.0) == [
        0.0, 400.0, 800.0, 1000.0]
    assert map_picture.page_breaks([], 0.0, 100.0, 400.0) == [0.0, 100.0]


def page_texts(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


def test_a_tiled_pdf_repeats_headers_keeps_cards_whole_and_fills_pages(
        document: Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    m = next(iter(document.workspace.maps.values()))
    grids = []
    original = map_picture.tile_grid

    def recording(scene, body_w: float, body_h: float):  # noqa: ANN001, ANN202
        grid = original(scene, body_w, body_h)
        lay = scene.layout
        grids.append((grid, body_w, body_h, list(lay.column_x), dict(lay.step_stage),
                       dict(lay.lane_rects), dict(lay.card_rects)))
        return grid

    monkeypatch.setattr(map_picture, "tile_grid", recording)
    out = tmp_path / "tiled.pdf"
    pages = map_picture.write_pdf(document, m.id, out, mode="tile", today=TODAY)
    (xs, ys, header_w, header_h), body_w, body_h, column_x, step_stage, lanes, cards = grids[0]
    texts = page_texts(out)
    assert len(texts) == pages == (len(xs) - 1) * (len(ys) - 1)

    # the page count: as few as whole columns and cards allow.  Across, pages hold
    # floor(room / COLUMN_W) columns each, room being the body less the repeated lane
    # headers; down, every page but the last is filled to the room less the tallest card
    room_w, room_h = body_w - header_w, body_h - header_h
    per_page = math.floor(room_w / COLUMN_W)
    assert len(xs) - 1 == math.ceil(len(column_x) / per_page) == 5
    tallest = max(r.height() for r in cards.values())
    span_h = ys[-1] - ys[0]
    assert math.ceil(span_h / room_h) <= len(ys) - 1 <= math.ceil(span_h / (room_h - tallest))
    # filled: every page but the last of its row or column at least two thirds full
    assert all(b - a >= 2 / 3 * room_w for a, b in zip(xs[:-2], xs[1:-1], strict=True))
    assert all(b - a >= 2 / 3 * room_h for a, b in zip(ys[:-2], ys[1:-1], strict=True))

    stage_names = {s.id: s.name for s in m.stages}
    lane_names = {ln.id: ln.name for ln in m.lanes}
    steps = m.all_steps()
    for index, text in enumerate(texts):
        row, col = divmod(index, len(xs) - 1)
        x0, x1, y0, y1 = xs[col], xs[col + 1], ys[row], ys[row + 1]
        assert f"page {index + 1} of {pages}" in text
        shown_columns = [i for i, x in enumerate(column_x) if x0 - 1 <= x < x1 - 1]
        assert shown_columns
        for i in shown_columns:  # the stage and step headers of its columns
            assert stage_names[step_stage[steps[i].id]] in text, (index, i)
            assert steps[i].name in text
        for lane_id, rect in lanes.items():  # the lane headers of its rows
            if rect.top() < y1 and rect.bottom() > y0:
                assert lane_names[lane_id] in text, (index, lane_names[lane_id])

    # every card whole on exactly one page: its first and last words on the same page, all of
    # its text there, and on no other page
    for card in m.cards.values():
        first, last = card.text.split()[0], card.text.split()[-1]
        on = [i for i, t in enumerate(texts) if first in t]
        assert len(on) == 1, (card.text, on)
        assert [i for i, t in enumerate(texts) if last in t] == on
        words = re.escape(card.text).replace(r"\ ", r"\s*")
        assert re.search(words, texts[on[0]]), card.text
