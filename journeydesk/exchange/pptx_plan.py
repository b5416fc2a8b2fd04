"""The plan of the map slides: which steps and lanes each slide shows, the grid in points,
and each card's box (its lines, badges and picture), measured before anything is drawn."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from journeydesk.domain.colours import (
    LANE_COLOURS,
    THEME_COLOURS,
    card_accent,
    card_tint,
    hex_rgb,
    severity_fill,
)
from journeydesk.domain.model import (
    Card,
    DomainError,
    JourneyMap,
    Lane,
    LaneType,
    Stage,
    Step,
)
from journeydesk.domain.pictures import shown_size
from journeydesk.exchange.pptx_shapes import (
    CARD_INSET_X,
    CARD_INSET_Y,
    CARD_PT,
    GRID_BOTTOM,
    GRID_TOP,
    LINE,
    MARGIN,
    SLIDE_W,
    THEME,
    one_line,
    plain,
    shortened,
    wrap,
)

if TYPE_CHECKING:
    pass


# -- the map's grid, in points -----------------------------------------------------------------
LANE_HEADER_W = 118.0
STAGE_H, STEP_H = 26.0, 20.0
STEPS_PER_SLIDE = 6  # 135 pt columns: card text at 10.5 pt, some 24 characters a line
MAX_COLUMN_W = 240.0
CELL_PAD, CARD_GAP = 4.0, 4.0
LANE_MIN_H = 30.0
CHART_BAND_H = 132.0  # the emotion curves at the top of the first emotions lane
AXIS_ROOM = 24.0  # the chart's score labels, inside the lane header's right edge
MAX_CARD_LINES = 6
BADGE_PT = 10.0
STORYBOARD_PICTURE_H = 150.0  # a storyboard card's picture, at most (the caption below it)
PICTURE_H = 90.0  # the picture of a card in another lane, at most
PICTURE_GAP = 3.0

PRIORITY_LABELS = {"low": "Low", "medium": "Medium", "high": "High"}
# -- the data over the map: caption, numbers under the stage names, flows above the headers
CAPTION_H = 19.0  # the caption under the title (with room below it before the flows band)
NUMBERS_H = 13.0  # the second line of a stage header: users and conversion
FLOW_PT, FLOW_LINE_H = 9.0, 11.5  # the flows band: one line per move
MAX_FLOW_LINES = 4  # moves shown per stage; more say "+ n more"
FLOW_WORDS = {"forward": "", "skip": " (skip)", "back": " (back)"}


# =========================================================================== the plan
@dataclass
class CardBox:
    """A card as a slide shows it."""

    card: Card
    text: str  # shortened when too long
    shortened: bool
    badges: list[list[tuple[str, str, bool]]]  # lines under the text: (text, colour, bold)
    height: float
    picture: tuple[float, float] | None = None  # its width and height on the card, at the top


@dataclass
class RowPart:
    """A lane (or the part of it that fits) on one slide."""

    lane: Lane
    cells: list[list[CardBox]]  # per column of the slide
    height: float
    chart: bool = False  # the emotion curves at its top
    continued: bool = False  # the lane began on an earlier slide


@dataclass
class MapSlide:
    """One slide of the map: some steps (columns) and some lanes (rows)."""

    steps: list[tuple[Stage, Step]]
    rows: list[RowPart] = field(default_factory=list)


def has_step_row(m: JourneyMap) -> bool:
    """Whether the map shows a row of step headers (as the canvas does)."""
    return any(len(s.steps) > 1 or s.steps[0].name for s in m.stages)


def split_steps(m: JourneyMap, steps_per_slide: int) -> list[list[tuple[Stage, Step]]]:
    """The map's steps in slide-sized parts: a stage is not split when it fits on a slide
    (and the part it would start is already half full); a longer one is split evenly."""
    parts: list[list[tuple[Stage, Step]]] = []
    current: list[tuple[Stage, Step]] = []
    for stage in m.stages:
        steps = [(stage, step) for step in stage.steps]
        if len(current) + len(steps) > steps_per_slide and len(current) * 2 >= steps_per_slide:
            parts.append(current)
            current = []
        for item in steps:
            if len(current) == steps_per_slide:
                parts.append(current)
                current = []
            current.append(item)
    if current:
        parts.append(current)
    return parts


def column_width(parts: Sequence[Sequence[Any]]) -> float:
    """The width of a step column: the widest part fills the slide (capped)."""
    widest = max((len(p) for p in parts), default=1)
    return min(MAX_COLUMN_W, (SLIDE_W - 2 * MARGIN - LANE_HEADER_W) / max(1, widest))


def picture_size(card: Card, lane_type: LaneType, width: float) -> tuple[float, float] | None:
    """The size in points of the card's picture on a card ``width`` points wide: the card's
    inner width, its aspect kept, at most :data:`STORYBOARD_PICTURE_H` high in a storyboard
    lane (:data:`PICTURE_H` in others); None without a picture or with one that is not a
    whole PNG or JPEG."""
    if card.picture is None:
        return None
    try:
        pixels_w, pixels_h = shown_size(card.picture)
    except DomainError:
        return None  # the domain never stores one; an export does not fail over it
    tallest = STORYBOARD_PICTURE_H if lane_type is LaneType.STORYBOARD else PICTURE_H
    scale = min((width - 2 * CARD_INSET_X) / pixels_w, tallest / pixels_h)
    return pixels_w * scale, pixels_h * scale


def card_box(card: Card, lane_type: LaneType, width: float) -> CardBox:
    """The card's text (shortened to :data:`MAX_CARD_LINES`), badges, picture and height."""
    inner = width - 2 * CARD_INSET_X
    picture = picture_size(card, lane_type, width)
    text = plain(card.text) or ("" if picture else "Empty card")  # a picture needs no caption
    shown, lines, cut = shortened(text, inner, CARD_PT, MAX_CARD_LINES)
    badges = _badges(card, lane_type, picture is not None, inner)
    badge_lines = sum(len(wrap("".join(t for t, _, _ in runs), inner, BADGE_PT, bold=True))
                      for runs in badges)
    height = (2 * CARD_INSET_Y + (lines if text else 0) * CARD_PT * LINE
              + badge_lines * BADGE_PT * LINE + 2)
    if picture is not None:
        height += picture[1] + PICTURE_GAP
    return CardBox(card, shown, cut, badges, math.ceil(height), picture)


def card_colours(card: Card, lane_type: LaneType) -> tuple[str, str]:
    look = LANE_COLOURS[THEME][lane_type]
    fill, accent = look.fill, look.accent
    if lane_type is LaneType.PAIN_POINTS and card.severity:
        fill = severity_fill(look.fill, look.accent, card.severity)
    if card.colour:
        try:
            fill, accent = card_tint(THEME, card.colour), card_accent(THEME, card.colour)
        except ValueError:  # not a colour: the lane's look
            pass
    return fill, accent


def _badges(card: Card, lane_type: LaneType, picture_shown: bool, inner: float,
            ) -> list[list[tuple[str, str, bool]]]:
    """The lines under a card's text: severity (five marks, as many filled as its level),
    priority, channel (one line), a picture that cannot be shown, and the tags (two lines
    at most), so that no card is taller than a slide."""
    fill, accent = card_colours(card, lane_type)
    muted = THEME_COLOURS[THEME]["muted_text"]
    found: list[list[tuple[str, str, bool]]] = []
    if lane_type is LaneType.PAIN_POINTS and card.severity:
        level = max(0, min(5, card.severity))
        found.append([("■ " * level, accent, True), ("■ " * (5 - level), _mix(fill, accent, 0.3),
                                                     True),
                      (f" Severity {card.severity}", accent, True)])
    if lane_type is LaneType.OPPORTUNITIES and card.priority:
        label = PRIORITY_LABELS.get(card.priority, plain(card.priority))
        found.append([(f"▲ {label} priority", accent, True)])
    if lane_type is LaneType.TOUCHPOINTS and card.channel:
        found.append([(one_line(plain(card.channel), inner, BADGE_PT), accent, True)])
    if card.picture is not None and not picture_shown:
        found.append([("Picture (cannot be shown)", muted, False)])
    if card.tags:
        tags = "  ".join(f"#{' '.join(plain(t).split())}" for t in card.tags)
        # measured as bold, as card_box counts badge lines
        found.append([(shortened(tags, inner / 1.06, BADGE_PT, 2)[0], muted, False)])
    return found


def _mix(base: str, colour: str, amount: float) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(b + (c - b) * amount) for b, c in zip(
        hex_rgb(base), hex_rgb(colour), strict=True)))


def _cell_height(cards: Sequence[CardBox]) -> float:
    return sum(c.height for c in cards) + CARD_GAP * max(0, len(cards) - 1)


def plan_map_slides(m: JourneyMap, steps_per_slide: int = STEPS_PER_SLIDE, *,
                    extra_top: float = 0.0) -> list[MapSlide]:
    """Which steps and which lanes (or parts of lanes) each map slide shows; ``extra_top``
    points above the lanes are taken by the data (:class:`MapData`)."""
    if steps_per_slide < 1:
        raise ValueError("steps_per_slide must be at least 1")
    parts = split_steps(m, steps_per_slide) or [[]]
    width = column_width(parts)
    card_w = width - 2 * CELL_PAD
    grid_top = GRID_TOP + extra_top + STAGE_H + (STEP_H if has_step_row(m) else 0.0)
    room = GRID_BOTTOM - grid_top
    first_emotions = next((lane.id for lane in m.lanes if lane.type is LaneType.EMOTIONS), None)
    boxes = {card.id: card_box(card, LaneType(m.lane(card.lane_id).type), card_w)
             for card in m.cards.values()}
    slides: list[MapSlide] = []
    for steps in parts:
        page = MapSlide(steps)
        left = room
        for lane in m.lanes:
            queues = [[boxes[c.id] for c in m.cards_in(step.id, lane.id)] for _, step in steps]
            chart = lane.id == first_emotions
            continued = False
            while True:
                band = CHART_BAND_H if chart else 0.0
                need = max(LANE_MIN_H, band + 2 * CELL_PAD + max(
                    (_cell_height(q) for q in queues), default=0.0))
                if need <= left:
                    page.rows.append(RowPart(lane, queues, need, chart, continued))
                    left -= need
                    break
                smallest = band + 2 * CELL_PAD + min(
                    (q[0].height for q in queues if q), default=0.0)
                if page.rows and (need <= room or smallest > left):
                    slides.append(page)
                    page, left = MapSlide(steps), room
                    continue
                # taller than a slide: what fits here, the rest on the next slide
                taken, rest = [], []
                for queue in queues:
                    used, count = band + 2 * CELL_PAD, 0
                    while count < len(queue) and used + queue[count].height <= left:
                        used += queue[count].height + CARD_GAP
                        count += 1
                    taken.append(queue[:count])
                    rest.append(queue[count:])
                if not chart and not page.rows and not any(taken):
                    # cannot happen (a card is lower than a slide); never loop for ever
                    taken = [q[:1] for q in queues]
                    rest = [q[1:] for q in queues]
                page.rows.append(RowPart(lane, taken, left, chart, continued))
                slides.append(page)
                page, left = MapSlide(steps), room
                queues, chart, continued = rest, False, True
        if page.rows or not slides or slides[-1].steps is not steps:
            slides.append(page)
    return slides
