"""Where everything on the canvas goes: one linear pass over the map.

Columns are the steps of the stages, left to right; rows are the lanes, top to bottom.  A cell
grows to fit its cards (text wrapped to the column), and a lane is as tall as its fullest cell.
The emotions lane has a fixed band for the curves above any cards it holds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF

from journeydesk.domain.model import Card, JourneyMap, LaneType
from journeydesk.gui.canvas.theme import (
    CARD_GAP,
    CARD_MIN_H,
    CARD_PAD,
    CELL_PAD,
    COLUMN_W,
    EMOTION_LANE_H,
    LANE_HEADER_W,
    LANE_MIN_H,
    STAGE_HEADER_H,
    STEP_HEADER_H,
)

CARD_W = COLUMN_W - 2 * CELL_PAD
BADGE_ROW_H = 20.0
METRIC_ROW_H = 24.0
CURVE_MARGIN = 26.0
# Lanes whose cards carry a badge row (severity, priority, channel).
BADGED = {LaneType.PAIN_POINTS, LaneType.OPPORTUNITIES, LaneType.TOUCHPOINTS}

TextHeight = Callable[[str, float], float]


@dataclass
class Layout:
    """Geometry of one map in scene coordinates."""

    has_step_row: bool = False
    top: float = STAGE_HEADER_H
    width: float = LANE_HEADER_W
    height: float = STAGE_HEADER_H
    column_steps: list[str] = field(default_factory=list)
    column_x: list[float] = field(default_factory=list)
    step_stage: dict[str, str] = field(default_factory=dict)
    stage_rects: dict[str, QRectF] = field(default_factory=dict)
    step_rects: dict[str, QRectF] = field(default_factory=dict)
    lane_ids: list[str] = field(default_factory=list)
    lane_y: list[float] = field(default_factory=list)
    lane_rects: dict[str, QRectF] = field(default_factory=dict)
    lane_types: dict[str, LaneType] = field(default_factory=dict)
    card_rects: dict[str, QRectF] = field(default_factory=dict)
    lane_band: dict[str, float] = field(default_factory=dict)
    cells: dict[tuple[str, str], list[Card]] = field(default_factory=dict)

    # -- hit testing ---------------------------------------------------------------------
    def column_at(self, x: float) -> int | None:
        """Index of the column under scene x, or None outside the columns."""
        if not self.column_x or x < self.column_x[0] or x >= self.column_x[-1] + COLUMN_W:
            return None
        return bisect_right(self.column_x, x) - 1

    def lane_at(self, y: float) -> str | None:
        """Id of the lane under scene y, or None outside the lanes."""
        if not self.lane_y or y < self.lane_y[0] or y >= self.height:
            return None
        return self.lane_ids[bisect_right(self.lane_y, y) - 1]

    def cell_at(self, pos: QPointF) -> tuple[str, str] | None:
        """(step id, lane id) of the cell under ``pos``."""
        column, lane_id = self.column_at(pos.x()), self.lane_at(pos.y())
        if column is None or lane_id is None:
            return None
        return self.column_steps[column], lane_id

    def cell_rect(self, step_id: str, lane_id: str) -> QRectF:
        """The rectangle of a cell."""
        lane = self.lane_rects[lane_id]
        x = self.column_x[self.column_steps.index(step_id)]
        return QRectF(x, lane.top(), COLUMN_W, lane.height())

    def insert_index(self, step_id: str, lane_id: str, y: float,
                     ignore: set[str] | None = None) -> int:
        """Where a card dropped at scene ``y`` goes among the cell's cards (not ``ignore``d)."""
        cards = [c for c in self.cells.get((step_id, lane_id), []) if not ignore or
                 c.id not in ignore]
        for index, card in enumerate(cards):
            if y < self.card_rects[card.id].center().y():
                return index
        return len(cards)

    def indicator_y(self, step_id: str, lane_id: str, index: int,
                    ignore: set[str] | None = None) -> float:
        """Scene y of the drop indicator line before the ``index``-th card."""
        cards = [c for c in self.cells.get((step_id, lane_id), []) if not ignore or
                 c.id not in ignore]
        if index < len(cards):
            return self.card_rects[cards[index].id].top() - CARD_GAP / 2
        if cards:
            return self.card_rects[cards[-1].id].bottom() + CARD_GAP / 2
        return self.cards_top(lane_id) + CARD_GAP / 2

    def cards_top(self, lane_id: str) -> float:
        """Scene y where the first card of a cell in this lane goes."""
        return self.lane_rects[lane_id].top() + CELL_PAD + self.lane_band.get(lane_id, 0.0)

    # -- the emotion curve ---------------------------------------------------------------
    def curve_band(self, lane_id: str) -> tuple[float, float]:
        """(top, bottom) scene y of the score axis in an emotions lane."""
        top = self.lane_rects[lane_id].top()
        return top + CURVE_MARGIN, top + EMOTION_LANE_H - CURVE_MARGIN

    def column_center(self, step_id: str) -> float:
        """Scene x of the middle of a step's column."""
        return self.column_x[self.column_steps.index(step_id)] + COLUMN_W / 2


def card_height(card: Card, lane_type: LaneType, text_height: TextHeight) -> float:
    """Height of a card: its wrapped text plus padding (and a badge row where it has one)."""
    height = text_height(card.text or " ", CARD_W - 2 * CARD_PAD) + 2 * CARD_PAD
    if lane_type in BADGED and (card.severity or card.priority or card.channel):
        height += BADGE_ROW_H
    if card.tags:
        height += BADGE_ROW_H
    return max(CARD_MIN_H, height)


def compute_layout(m: JourneyMap, text_height: TextHeight, metric_rows: int = 0,
                   header_extra: float = 0.0) -> Layout:
    """Lay out the whole map; linear in the number of cards.

    ``metric_rows`` is how many bound numbers a stage shows at most: metrics lanes keep that
    many rows free above their cards; ``header_extra`` makes the stage headers taller (room
    for the data overlay's numbers).
    """
    lay = Layout()
    lay.has_step_row = any(len(s.steps) > 1 or s.steps[0].name for s in m.stages)
    header_h = STAGE_HEADER_H + header_extra
    lay.top = header_h + (STEP_HEADER_H if lay.has_step_row else 0.0)

    x = LANE_HEADER_W
    for stage in m.stages:
        start = x
        for step in stage.steps:
            lay.column_steps.append(step.id)
            lay.column_x.append(x)
            lay.step_stage[step.id] = stage.id
            lay.step_rects[step.id] = QRectF(x, header_h, COLUMN_W, STEP_HEADER_H)
            x += COLUMN_W
        lay.stage_rects[stage.id] = QRectF(start, 0.0, x - start, header_h)
    lay.width = x

    cells: dict[tuple[str, str], list[Card]] = defaultdict(list)
    for card in m.cards.values():
        cells[(card.step_id, card.lane_id)].append(card)
    for cell in cells.values():
        cell.sort(key=lambda c: c.position)
    lay.cells = dict(cells)

    y = lay.top
    for lane in m.lanes:
        lane_type = LaneType(lane.type)
        lay.lane_ids.append(lane.id)
        lay.lane_y.append(y)
        lay.lane_types[lane.id] = lane_type
        band = 0.0
        if lane_type is LaneType.EMOTIONS:
            band = EMOTION_LANE_H - CELL_PAD
        elif lane_type is LaneType.METRICS and metric_rows:
            band = metric_rows * METRIC_ROW_H + CELL_PAD
        lay.lane_band[lane.id] = band
        first = y + CELL_PAD + band
        bottom = max(y + LANE_MIN_H, first + CELL_PAD - CARD_GAP)
        for column, step_id in enumerate(lay.column_steps):
            card_y = first
            for card in cells.get((step_id, lane.id), ()):
                h = card_height(card, lane_type, text_height)
                lay.card_rects[card.id] = QRectF(lay.column_x[column] + CELL_PAD, card_y,
                                                 CARD_W, h)
                card_y += h + CARD_GAP
            bottom = max(bottom, card_y - CARD_GAP + CELL_PAD)
        lay.lane_rects[lane.id] = QRectF(0.0, y, LANE_HEADER_W, bottom - y)
        y = bottom
    lay.height = y
    return lay
