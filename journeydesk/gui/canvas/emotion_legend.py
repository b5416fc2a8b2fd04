"""The emotions lane's legend: one line per curve, in the curve's colour; on the working canvas
it is also the picker of the curve that new points go to.

The legend item is a child of the emotions lane's header (so it moves with it) and paints the
lines the header lays out (``LaneHeaderItem.legend`` and ``legend_rows``).  On the working
canvas (``MapScene.affordances``) the curve that new points join is highlighted ("+"), the eye
at the start of a line shows or hides that curve, and a hint says what a double-click adds.
In Present and in exported pictures a room or a reader sees a clean legend: each shown curve's
colour and name, no eye, mark or hint (hidden curves are not listed), and it takes no focus.

Its text grows when zoomed out (semantic zoom, like the header's name): larger lines, as many
as the header holds ("+2 more" when not all fit), the hint wrapped and elided in the room left.
Clicks and keys are handled by the interactions (``Interactions.legend_press`` and
``legend_key``): choosing a curve and hiding one are view settings, not edits.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from journeydesk.gui.canvas.emotion_items import MAX_GROWTH, grown_px
from journeydesk.gui.canvas.text import ELLIPSIS, font_px, screen_scale
from journeydesk.gui.canvas.theme import make_pen, scene_font

if TYPE_CHECKING:
    from journeydesk.gui.canvas.items import LaneHeaderItem

LEGEND_PX = 8.5 * 4 / 3  # the names and the hint in scene units, as laid out
LANE_NAME_PX = 11 * 4 / 3  # the lane's name (items.LANE_PX): zoomed out, it takes the top only
NAME_ROOM = 36.0  # ... its first 36 units (items.LaneHeaderItem.paint)
ROW_H = 18.0  # a line as laid out
EYE_W = 16.0  # the show/hide toggle at the start of a line, as laid out
HINT = "Double-click the band to add a point to the highlighted (+) curve"
# shorter ways to say it, for a hint grown large in a header with little room (semantic zoom)
SHORT_HINTS = ("Double-click the band to add to the (+) curve", "Double-click: add to (+)")
HINT_H = 44.0  # up to three short lines under the legend


@cache
def _font(bold: bool, pixels: float = LEGEND_PX) -> QFont:
    return scene_font(8.5, bold=bold) if pixels == LEGEND_PX else font_px(int(pixels), bold)


@cache
def _metrics(font: QFont) -> QFontMetricsF:
    return QFontMetricsF(font)


@dataclass(frozen=True)
class LegendLine:
    """One curve in the legend, where it is drawn (in the legend's coordinates)."""

    rect: QRectF
    owner: str | None  # persona id, None for the map's own curve
    name: str
    colour: QColor
    shown: bool
    eye: float = EYE_W  # the width of its show/hide toggle (0: none, in Present and pictures)

    def eye_rect(self) -> QRectF:
        """The show/hide toggle (empty where the legend has none)."""
        return QRectF(self.rect.left(), self.rect.top(), self.eye, self.rect.height())

    def stroke_left(self) -> float:
        """Where the stroke in the curve's colour starts, after the eye."""
        return self.rect.left() + (self.eye + 2 if self.eye else 0.0) + 2

    def name_rect(self, pixels: float) -> QRectF:
        """Where the name goes, its text ``pixels`` high: after the stroke (:func:`swatch`)."""
        left = self.stroke_left() + swatch(pixels) + 6
        return QRectF(left, self.rect.top(), self.rect.right() - left - 2, self.rect.height())


def swatch(pixels: float) -> float:
    """The length of a line's stroke in the curve's colour, by its text size."""
    return max(14.0, pixels * 0.5)


@dataclass(frozen=True)
class LegendLayout:
    """What the legend paints at one text size."""

    pixels: float  # the names' (and the hint's) text size, scene units
    lines: list[LegendLine]
    more: int  # curves left out for want of room: "+2 more" in the line after the last
    hint: QRectF  # where the hint goes (empty: no hint)
    hint_lines: tuple[str, ...]


class EmotionLegendItem(QGraphicsItem):
    """The curves of the emotions lane, each in its colour.  On the working canvas the one
    new points join is highlighted, and it is focusable: Up and Down choose."""

    kind = "curves legend"
    TOOLTIP = ("New emotion points join the highlighted curve: click a name to choose it, "
               "click the eye to show or hide a curve")

    def __init__(self, header: LaneHeaderItem):
        super().__init__(header)
        self.active: str | None = None  # the curve new points join
        self._chrome: bool | None = None  # the affordances last followed (follow_header)
        self.setZValue(1)
        # The bounds the scene's index holds: only ever changed after prepareGeometryChange
        # (follow_header).  Computed from the header each time, a change of its curves or
        # size moved the legend behind the index's back, and taking the legend away then left
        # a deleted item in the index: the next paint crashed the app.
        self._bounds = QRectF()

    def header(self) -> LaneHeaderItem:
        return self.parentItem()  # type: ignore[return-value]

    @property
    def chrome(self) -> bool:
        """Whether the legend shows its edit affordances (eyes, the "+" mark, the hint)."""
        return bool(getattr(self.scene(), "affordances", True))

    def layout(self, scale: float = 1.0, minimum: float = 0.0) -> LegendLayout:
        """The lines (and hint) painted at ``scale`` with text at least ``minimum`` px on
        screen: as laid out, or larger (semantic zoom) in the room the header has."""
        header, chrome = self.header(), self.chrome
        pixels = grown_px(LEGEND_PX, scale, minimum)
        rows = header.legend_rows()
        if not rows:
            return LegendLayout(pixels, [], 0, QRectF(), ())
        first = rows[0][0]
        top, bottom = first.top(), self._room_bottom()
        if minimum and LANE_NAME_PX * scale < minimum:  # the header shows its name only
            top = min(top, self._name_bottom())
        row_h = max(ROW_H, math.ceil(pixels * 1.3))
        eye = max(EYE_W, pixels) if chrome else 0.0
        listed = [LegendLine(QRectF(), owner, name, QColor(colour), shown, eye)
                  for (owner, name, colour, shown) in header.legend if chrome or shown]
        room = max(1, int((bottom - top) // row_h))
        more = 0
        if len(listed) > room:  # the last line that fits says how many more there are
            more = len(listed) - (room - 1)
            listed = listed[:room - 1]
        lines = [replace(line, rect=QRectF(first.left(), top + i * row_h, first.width(), row_h))
                 for i, line in enumerate(listed)]
        if not chrome or not lines:
            return LegendLayout(pixels, lines, more, QRectF(), ())
        hint_top = top + (len(lines) + (1 if more else 0)) * row_h + 4
        height = min(HINT_H if pixels == LEGEND_PX else bottom - hint_top, bottom - hint_top)
        hint = QRectF(first.left(), hint_top, first.width(), max(0.0, height))
        metrics = _metrics(_font(False, pixels))
        wrapped = _wrapped(HINT, metrics, hint)
        for shorter in SHORT_HINTS:  # the first said whole, else the shortest, elided
            if not wrapped or not wrapped[-1].endswith(ELLIPSIS):
                break
            wrapped = _wrapped(shorter, metrics, hint)
        return LegendLayout(pixels, lines, more, hint, wrapped)

    def lines(self) -> list[LegendLine]:
        """The legend's lines, top to bottom, as laid out."""
        return self.layout().lines

    def line_at(self, local: QPointF, scale: float = 1.0,
                minimum: float = 0.0) -> tuple[LegendLine, bool] | None:
        """(the line at ``local``, whether on its eye), or None, as painted at ``scale``."""
        for line in self.layout(scale, minimum).lines:
            if line.rect.contains(local):
                return line, line.eye_rect().contains(local)
        return None

    def accessible_name(self) -> str:
        active = next((line.name for line in self.lines() if line.owner == self.active), "")
        return f"curves legend: new points join {active}" if active else "curves legend"

    def _room_bottom(self) -> float:
        return self.header().rect().adjusted(4, 2, -4, -2).bottom() - 4

    def _name_bottom(self) -> float:
        return self.header().rect().adjusted(4, 2, -4, -2).top() + NAME_ROOM

    def _extent(self) -> QRectF:
        """All the legend may paint, at any zoom: its lines (as laid out, or grown up to
        :data:`MAX_GROWTH` times) and, on the working canvas, the hint in the room under
        them."""
        rows = self.header().legend_rows()
        if not rows:
            return QRectF()
        first = rows[0][0]
        top = min(first.top(), self._name_bottom())
        bottom = self._room_bottom()
        if not self.chrome:  # no hint: down to the last line at the largest size
            listed = sum(1 for *_rest, shown in self.header().legend if shown)
            row_h = max(ROW_H, math.ceil(LEGEND_PX * MAX_GROWTH * 1.3))
            bottom = min(bottom, max(first.top(), self._name_bottom()) + listed * row_h)
        laid_out = QRectF(first.left(), top, first.width(), max(0.0, bottom - top))
        for line in self.layout().lines:  # as laid out (a header shorter than its lines)
            laid_out = laid_out.united(line.rect)
        return laid_out.adjusted(-3, -3, 3, 3)

    def follow_header(self) -> None:
        """Take the place the header's curves and size (and the scene's affordances) now
        give the lines (call after any of them changed)."""
        self._follow_affordances()
        bounds = self._extent()
        if bounds != self._bounds:
            self.prepareGeometryChange()  # while boundingRect still gives the old bounds
            self._bounds = bounds
        self.update()

    def _follow_affordances(self) -> None:
        """Focusable, with a pointing cursor and a tooltip on the working canvas only: in
        Present the legend takes no focus (its keys stay the walk-through's)."""
        chrome = self.chrome
        if chrome == self._chrome:
            return
        self._chrome = chrome
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable, chrome)
        if chrome:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setToolTip(self.TOOLTIP)
        else:
            self.clearFocus()
            self.unsetCursor()
            self.setToolTip("")

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF(self._bounds)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        scene = self.scene()
        theme = scene.theme  # type: ignore[attr-defined]
        chrome = self.chrome
        layout = self.layout(screen_scale(painter), getattr(scene, "min_text_px", 0.0))
        pixels = layout.pixels
        stroke = max(3.0, pixels * 0.22)  # the curve's colour: a short, thick stroke
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for line in layout.lines:
            row = line.rect
            line_colour = QColor(line.colour)
            text_colour = QColor(theme.text)
            if not line.shown:  # hidden curves stay listed, dimmed and struck through
                line_colour.setAlpha(60)
                text_colour.setAlpha(110)
            active = chrome and line.owner == self.active and line.shown
            if active:
                fill = QColor(line.colour)
                fill.setAlpha(48)
                painter.setPen(QPen(line.colour, 1.4))
                painter.setBrush(fill)
                painter.drawRoundedRect(row.adjusted(-2, 0, 2, 0), 5, 5)
            if line.eye:
                _eye(painter, line.eye_rect(), theme.muted_text if line.shown else text_colour,
                     line.shown)
            painter.setPen(make_pen(line_colour, stroke, round_cap=True))
            painter.drawLine(QPointF(line.stroke_left(), row.center().y()),
                             QPointF(line.stroke_left() + swatch(pixels), row.center().y()))
            font = QFont(_font(active, pixels))
            font.setStrikeOut(not line.shown)
            painter.setFont(font)
            painter.setPen(text_colour)
            text_rect = line.name_rect(pixels)
            name = f"+ {line.name}" if active else line.name
            painter.drawText(text_rect,
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             _metrics(font).elidedText(name, Qt.TextElideMode.ElideRight,
                                                       text_rect.width()))
        painter.setFont(_font(False, pixels))
        painter.setPen(theme.muted_text)
        if layout.more and layout.lines:
            last = layout.lines[-1].rect
            painter.drawText(last.translated(0, last.height()).adjusted(4, 0, 0, 0),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             f"+{layout.more} more")
        metrics = _metrics(_font(False, pixels))
        for i, text in enumerate(layout.hint_lines):
            painter.drawText(QPointF(layout.hint.left(),
                                     layout.hint.top() + i * metrics.lineSpacing()
                                     + metrics.ascent()), text)
        if chrome and self.hasFocus():
            painter.setPen(QPen(theme.selection, 1.5, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            around = QRectF()
            for line in layout.lines:
                around = around.united(line.rect)
            painter.drawRoundedRect(around.adjusted(-2, -2, 2, 2), 5, 5)

    def take_focus(self, reason: Qt.FocusReason) -> None:
        """Take the keyboard focus and show it (a dashed frame); not in Present."""
        if self.chrome:
            self.setFocus(reason)
            self.update()

    def focusOutEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        self.update()  # the focus frame goes


def _wrapped(text: str, metrics: QFontMetricsF, rect: QRectF) -> tuple[str, ...]:
    """``text`` wrapped at words to ``rect``'s width, as many lines as its height holds, the
    last ending in "…" when words are left over (none when not one line fits)."""
    fit = int((rect.height() - metrics.height()) // metrics.lineSpacing()) + 1
    if fit <= 0 or rect.width() <= 0:
        return ()
    lines: list[str] = []
    glue = " "
    for word in re.findall(r"\S+?-(?=\S)|\S+", text):  # "Double-" "click" may part
        if lines and metrics.horizontalAdvance(f"{lines[-1]}{glue}{word}") <= rect.width():
            lines[-1] = f"{lines[-1]}{glue}{word}"
        else:
            lines.append(word)
        glue = "" if word.endswith("-") else " "
    if len(lines) > fit:
        rest = " ".join(lines[fit - 1:])
        lines = [*lines[:fit - 1], metrics.elidedText(rest + ELLIPSIS,
                                                      Qt.TextElideMode.ElideRight, rect.width())]
    return tuple(metrics.elidedText(line, Qt.TextElideMode.ElideRight, rect.width())
                 for line in lines)


def _eye(painter: QPainter, box: QRectF, colour: QColor, open_: bool) -> None:
    """An eye (open: the curve shows; struck through: hidden), as large as ``box`` allows."""
    c = box.center()
    s = min(box.width(), box.height()) * 6 / 16  # 6 in a 16 wide toggle, as laid out
    eye = QPainterPath(QPointF(c.x() - s, c.y()))
    eye.quadTo(QPointF(c.x(), c.y() - s), QPointF(c.x() + s, c.y()))
    eye.quadTo(QPointF(c.x(), c.y() + s), QPointF(c.x() - s, c.y()))
    painter.setPen(make_pen(colour, 1.3 * s / 6, round_cap=True))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(eye)
    painter.setBrush(colour)
    painter.drawEllipse(c, 1.6 * s / 6, 1.6 * s / 6)
    if not open_:
        painter.drawLine(QPointF(c.x() - s, c.y() + s * 5 / 6),
                         QPointF(c.x() + s, c.y() - s * 5 / 6))


def legend_of(header: LaneHeaderItem) -> EmotionLegendItem | None:
    """The legend item of a lane header, if it has one."""
    return next((child for child in header.childItems()
                 if isinstance(child, EmotionLegendItem)), None)


def sync_legend(header: LaneHeaderItem, active: str | None) -> None:
    """Give an emotions lane's header its legend item (none when it lists no curve),
    highlighting ``active``, the curve new points join (on the working canvas)."""
    legend = legend_of(header)
    if not header.legend:
        if legend is not None and legend.scene() is not None:
            legend.scene().removeItem(legend)  # also takes it off the header
        return
    if legend is None:
        legend = EmotionLegendItem(header)
    legend.active = active
    legend.follow_header()
