"""Where everything on the canvas goes: one linear pass over the map, then small updates.

Columns are the steps of the stages, left to right; rows are the lanes, top to bottom.  A cell
grows to fit its cards (text wrapped to the column), and a lane is as tall as its fullest cell.
The emotions lane has a fixed band for the curves above any cards it holds.

:func:`compute_layout` lays out a whole map.  :func:`update_cards` brings a layout up to date
after some cards changed (edited, added, removed, moved): it places again only the cells those
cards left or entered, and moves the lanes below only when a lane's height changed.  Cells are
placed by the same code either way (:func:`_place_cell`) and every coordinate is a whole
number (card heights are rounded up), so an updated layout equals, number for number, one
computed afresh.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF

from journeydesk.domain.model import Card, DomainError, JourneyMap, LaneType
from journeydesk.domain.pictures import shown_size
from journeydesk.gui.canvas.text import CARD_W, text_width
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

BADGE_ROW_H = 20.0
METRIC_ROW_H = 24.0
CURVE_MARGIN = 26.0
# Lanes whose cards carry a badge row (severity, priority, channel).
BADGED = {LaneType.PAIN_POINTS, LaneType.OPPORTUNITIES, LaneType.TOUCHPOINTS}

# A storyboard card: its picture across the card (less an inset), the text as a caption below.
PICTURE_INSET = 6.0
PICTURE_W = CARD_W - 2 * PICTURE_INSET
PICTURE_MIN_H = float(round(PICTURE_W * 0.4))   # a panorama is letterboxed in this
PICTURE_MAX_H = float(round(PICTURE_W * 1.25))  # a tall portrait is pillarboxed in this
PICTURE_EMPTY_H = float(round(PICTURE_W * 9 / 16))  # a storyboard card with no picture yet
# A card with a picture in any other lane: a row with a thumbnail under its text.
THUMB_ROW_H = 40.0

TextHeight = Callable[[str, float], float]
_SIZES: dict[tuple[int, int], tuple[int, int] | None] = {}


def picture_size(picture: bytes | None) -> tuple[int, int] | None:
    """The (width, height) a card's picture is shown at, read from its header and remembered
    by content; None without a picture or for one that is damaged."""
    if picture is None:
        return None
    key = (hash(picture), len(picture))  # a bytes object keeps its hash: asked again, free
    if key not in _SIZES:
        if len(_SIZES) > 4096:
            _SIZES.clear()
        try:
            _SIZES[key] = shown_size(picture)
        except DomainError:
            _SIZES[key] = None
    return _SIZES[key]


def picture_height(card: Card) -> float:
    """The height of a storyboard card's picture area: the picture scaled to the card's width
    (a whole number, within PICTURE_MIN_H..PICTURE_MAX_H), or the empty frame's."""
    size = picture_size(card.picture)
    if size is None:
        return PICTURE_EMPTY_H
    width, height = size
    return float(min(PICTURE_MAX_H, max(PICTURE_MIN_H, round(PICTURE_W * height / width))))


def caption_shown(card: Card) -> bool:
    """Whether a storyboard card shows a caption (a picture without text needs none)."""
    return bool(card.text) or card.picture is None


@dataclass
class Layout:
    """Geometry of one map in scene coordinates."""

    has_step_row: bool = False
    counts: bool = False  # cards bound to events show their counts (the overlay is on)
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
    # What the incremental update needs: each card's height and cell, each column's index,
    # and the bottom of each non-empty cell (a lane is as tall as its lowest cell).
    card_heights: dict[str, float] = field(default_factory=dict)
    card_cell: dict[str, tuple[str, str]] = field(default_factory=dict)
    column_index: dict[str, int] = field(default_factory=dict)
    cell_bottoms: dict[tuple[str, str], float] = field(default_factory=dict)

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


def card_height(card: Card, lane_type: LaneType, text_height: TextHeight,
                counts: bool = False) -> float:
    """Height of a card: its wrapped text plus padding (and a badge row where it has one);
    in a storyboard lane, its picture above the text; elsewhere a picture adds a thumbnail row.

    The text is measured at the width it is painted at (``text.text_width``; narrower for a
    card bound to events while the overlay shows their counts, ``counts``).  Always a whole
    number: every card edge then sits on a pixel at 100 % (crisp), and a card moved by
    another card's growth moves by whole pixels, so its cached picture stays exact.
    """
    width = text_width(counted=counts and bool(card.events))
    height = math.ceil(text_height(card.text or " ", width)) + 2 * CARD_PAD
    if lane_type is LaneType.STORYBOARD:  # the picture on top; the text is its caption
        height = PICTURE_INSET + picture_height(card) + (
            height if caption_shown(card) else PICTURE_INSET)
    elif card.picture is not None:
        height += THUMB_ROW_H
    if lane_type in BADGED and (card.severity or card.priority or card.channel):
        height += BADGE_ROW_H
    if card.tags:
        height += BADGE_ROW_H
    return max(CARD_MIN_H, height)


def compute_layout(m: JourneyMap, text_height: TextHeight, metric_rows: int = 0,
                   header_extra: float = 0.0, counts: bool = False) -> Layout:
    """Lay out the whole map; linear in the number of cards.

    ``metric_rows`` is how many bound numbers a stage shows at most: metrics lanes keep that
    many rows free above their cards; ``header_extra`` makes the stage headers taller (room
    for the data overlay's numbers); ``counts``: cards bound to events show their counts
    (their text wraps narrower).
    """
    lay = Layout(counts=counts)
    lay.has_step_row = any(len(s.steps) > 1 or s.steps[0].name for s in m.stages)
    header_h = STAGE_HEADER_H + header_extra
    lay.top = header_h + (STEP_HEADER_H if lay.has_step_row else 0.0)

    x = LANE_HEADER_W
    for stage in m.stages:
        start = x
        for step in stage.steps:
            lay.column_index[step.id] = len(lay.column_steps)
            lay.column_steps.append(step.id)
            lay.column_x.append(x)
            lay.step_stage[step.id] = stage.id
            lay.step_rects[step.id] = QRectF(x, header_h, COLUMN_W, STEP_HEADER_H)
            x += COLUMN_W
        lay.stage_rects[stage.id] = QRectF(start, 0.0, x - start, header_h)
    lay.width = x

    for lane in m.lanes:
        lane_type = LaneType(lane.type)
        lay.lane_ids.append(lane.id)
        lay.lane_y.append(0.0)  # placed below
        lay.lane_types[lane.id] = lane_type
        band = 0.0
        if lane_type is LaneType.EMOTIONS:
            band = EMOTION_LANE_H - CELL_PAD
        elif lane_type is LaneType.METRICS and metric_rows:
            band = metric_rows * METRIC_ROW_H + CELL_PAD
        lay.lane_band[lane.id] = band

    cells: dict[tuple[str, str], list[Card]] = defaultdict(list)
    for card in m.cards.values():
        key = (card.step_id, card.lane_id)
        cells[key].append(card)
        lay.card_cell[card.id] = key
        lay.card_heights[card.id] = card_height(card, lay.lane_types[card.lane_id], text_height,
                                                lay.counts)
    for cell in cells.values():
        cell.sort(key=_position)
    lay.cells = dict(cells)

    _place_lanes(lay, 0, lay.top)
    return lay


@dataclass
class CardsUpdate:
    """What :func:`update_cards` changed, for the scene to move exactly those items."""

    changed: set[str] = field(default_factory=set)   # cards on the map whose content may differ
    removed: set[str] = field(default_factory=set)   # cards that left the map
    moved: set[str] = field(default_factory=set)     # cards whose rectangle changed (or is new)
    lanes_from: int | None = None  # this lane's height changed: it and every lane below moved
    shifts: dict[str, float] | None = None  # how far lanes below moved (None: placed afresh)
    old_height: float = 0.0        # the layout's height before the update


def update_cards(lay: Layout, m: JourneyMap, card_ids: Iterable[str],
                 text_height: TextHeight) -> CardsUpdate | None:
    """Bring ``lay`` up to date after the cards ``card_ids`` changed (text, badges, cell,
    position, added or removed).

    Only the cells those cards left or entered are laid out again; when that changes a lane's
    height, the lanes below it move by the difference.  Returns None (``lay`` is then spoilt:
    compute a new one) when the change is not one a card update can follow: a card in a
    column or lane this layout does not have, or a cell whose positions are not 0..n-1 (a
    change that did not name every card it moved).
    """
    update = CardsUpdate(old_height=lay.height)
    dirty: set[tuple[str, str]] = set()
    for card_id in card_ids:
        card = m.cards.get(card_id)
        old = lay.card_cell.pop(card_id, None)
        if old is not None:
            cell = lay.cells[old]
            cell[:] = [c for c in cell if c.id != card_id]
            dirty.add(old)
        if card is None:
            if old is not None:
                update.removed.add(card_id)
                del lay.card_heights[card_id]
                del lay.card_rects[card_id]
            continue
        if card.step_id not in lay.column_index or card.lane_id not in lay.lane_types:
            return None
        key = (card.step_id, card.lane_id)
        lay.cells.setdefault(key, []).append(card)
        lay.card_cell[card_id] = key
        lay.card_heights[card_id] = card_height(card, lay.lane_types[card.lane_id], text_height,
                                                lay.counts)
        update.changed.add(card_id)
        dirty.add(key)

    lanes: set[str] = set()
    for key in dirty:
        cell = lay.cells[key]
        if not cell:
            del lay.cells[key]
            lay.cell_bottoms.pop(key, None)
        else:
            cell.sort(key=_position)
            if any(c.position != i for i, c in enumerate(cell)):
                return None
            _place_cell(lay, key, lay.cards_top(key[1]), update.moved)
        lanes.add(key[1])

    resized = {lay.lane_ids.index(lane_id) for lane_id in lanes
               if _lane_height(lay, lane_id) != lay.lane_rects[lane_id].height()}
    if resized:
        update.lanes_from = min(resized)
        update.shifts = _move_lanes(lay, resized)
    return update


def _position(card: Card) -> int:
    return card.position


def _place_cell(lay: Layout, key: tuple[str, str], first: float,
                moved: set[str] | None = None) -> float:
    """Stack the cards of a cell from scene y ``first`` down; returns the cell's bottom."""
    x = lay.column_x[lay.column_index[key[0]]] + CELL_PAD
    rects, heights = lay.card_rects, lay.card_heights
    card_y = first
    for card in lay.cells[key]:
        h = heights[card.id]
        rect = QRectF(x, card_y, CARD_W, h)
        if moved is not None and rects.get(card.id) != rect:
            moved.add(card.id)
        rects[card.id] = rect
        card_y += h + CARD_GAP
    bottom = lay.cell_bottoms[key] = card_y - CARD_GAP + CELL_PAD
    return bottom


def _lane_top_bottom(lay: Layout, lane_id: str, y: float) -> tuple[float, float]:
    """Where the cards of a lane placed at ``y`` start, and its least bottom (no cards)."""
    first = y + CELL_PAD + lay.lane_band[lane_id]
    return first, max(y + LANE_MIN_H, first + CELL_PAD - CARD_GAP)


def _lane_height(lay: Layout, lane_id: str) -> float:
    """The height a lane needs for its cells as they are placed now."""
    y = lay.lane_rects[lane_id].top()
    _first, bottom = _lane_top_bottom(lay, lane_id, y)
    bottoms = lay.cell_bottoms
    for step_id in lay.column_steps:
        cell_bottom = bottoms.get((step_id, lane_id))
        if cell_bottom is not None and cell_bottom > bottom:
            bottom = cell_bottom
    return bottom - y  # as _place_lanes computes it


def _move_lanes(lay: Layout, resized: set[int]) -> dict[str, float] | None:
    """The lanes at the indexes ``resized`` take the heights their cells need; the lanes
    below each move down (or up) by the growth above them.  Returns how far each lane
    below the first resized one moved (a lane id -> shift).

    Every coordinate of a layout is a whole number (the sizes are, card heights are rounded
    up), so moving by a whole amount gives exactly what placing afresh gives.  Were a shift
    not whole, the lanes from there on are placed afresh instead (and None returned).
    """
    rects, bottoms, cells = lay.card_rects, lay.cell_bottoms, lay.cells
    shifts: dict[str, float] = {}
    shift = 0.0
    for index in range(min(resized), len(lay.lane_ids)):
        lane_id = lay.lane_ids[index]
        if shift:
            if not shift.is_integer():
                _place_lanes(lay, index, lay.lane_y[index] + shift)
                return None
            shifts[lane_id] = shift
            lay.lane_y[index] += shift
            lay.lane_rects[lane_id] = lay.lane_rects[lane_id].translated(0.0, shift)
            for step_id in lay.column_steps:
                key = (step_id, lane_id)
                cards = cells.get(key)
                if cards:
                    bottoms[key] += shift
                    for card in cards:
                        rects[card.id] = rects[card.id].translated(0.0, shift)
        if index in resized:
            rect = lay.lane_rects[lane_id]
            height = _lane_height(lay, lane_id)
            lay.lane_rects[lane_id] = QRectF(0.0, rect.top(), LANE_HEADER_W, height)
            shift += height - rect.height()
    lay.height += shift
    return shifts


def _place_lanes(lay: Layout, start: int, y: float) -> None:
    """Place the lanes from index ``start`` on, the first at scene ``y``, with their cards."""
    cells = lay.cells
    for index in range(start, len(lay.lane_ids)):
        lane_id = lay.lane_ids[index]
        lay.lane_y[index] = y
        first, bottom = _lane_top_bottom(lay, lane_id, y)
        for step_id in lay.column_steps:
            key = (step_id, lane_id)
            if key in cells:
                bottom = max(bottom, _place_cell(lay, key, first))
        lay.lane_rects[lane_id] = QRectF(0.0, y, LANE_HEADER_W, bottom - y)
        y = bottom
    lay.height = y
