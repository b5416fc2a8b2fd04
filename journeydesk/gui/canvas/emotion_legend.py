"""The emotions lane's legend: one line per curve, in the curve's colour; it is also the picker
of the curve that new points go to.

The legend item is a child of the emotions lane's header (so it moves with it) and paints the
lines the header lays out (``LaneHeaderItem.legend`` and ``legend_rows``).  The curve that new
points join is highlighted; the eye at the start of a line shows or hides that curve.  Clicks
and keys are handled by the interactions (``Interactions.legend_press`` and ``legend_key``):
choosing a curve and hiding one are view settings, not edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from journeydesk.gui.canvas.theme import make_pen, scene_font

if TYPE_CHECKING:
    from journeydesk.gui.canvas.items import LaneHeaderItem

EYE_W = 16.0  # the show/hide toggle at the start of a line
HINT = "Double-click the band to add a point to the highlighted (+) curve"
HINT_H = 44.0  # up to three short lines under the legend


@cache
def _font(bold: bool) -> QFont:
    return scene_font(8.5, bold=bold)


@dataclass(frozen=True)
class LegendLine:
    """One curve in the legend, where it is drawn (in the legend's coordinates)."""

    rect: QRectF
    owner: str | None  # persona id, None for the map's own curve
    name: str
    colour: QColor
    shown: bool

    def eye_rect(self) -> QRectF:
        """The show/hide toggle."""
        return QRectF(self.rect.left(), self.rect.top(), EYE_W, self.rect.height())


class EmotionLegendItem(QGraphicsItem):
    """The curves of the emotions lane, each in its colour; the one new points join is
    highlighted.  Focusable: Up and Down choose, Enter shows or hides the chosen curve."""

    kind = "curves legend"

    def __init__(self, header: LaneHeaderItem):
        super().__init__(header)
        self.active: str | None = None  # the curve new points join
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsFocusable)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("New emotion points join the highlighted curve: click a name to choose "
                        "it, click the eye to show or hide a curve")
        self.setZValue(1)
        # The bounds the scene's index holds: only ever changed after prepareGeometryChange
        # (follow_header).  Computed from the header each time, a change of its curves or
        # size moved the legend behind the index's back, and taking the legend away then left
        # a deleted item in the index: the next paint crashed the app.
        self._bounds = QRectF()

    def header(self) -> LaneHeaderItem:
        return self.parentItem()  # type: ignore[return-value]

    def lines(self) -> list[LegendLine]:
        """The legend's lines, top to bottom."""
        header = self.header()
        return [LegendLine(rect, owner, name, QColor(colour), shown)
                for (rect, owner), (_o, name, colour, shown)
                in zip(header.legend_rows(), header.legend, strict=True)]

    def line_at(self, local: QPointF) -> tuple[LegendLine, bool] | None:
        """(the line at ``local``, whether on its eye), or None."""
        for line in self.lines():
            if line.rect.contains(local):
                return line, line.eye_rect().contains(local)
        return None

    def accessible_name(self) -> str:
        active = next((line.name for line in self.lines() if line.owner == self.active), "")
        return f"curves legend: new points join {active}" if active else "curves legend"

    def hint_rect(self) -> QRectF:
        """Where the hint on what a double-click adds goes, under the lines."""
        lines = self.lines()
        if not lines:
            return QRectF()
        last = lines[-1].rect
        return QRectF(last.left(), last.bottom() + 4, last.width(), HINT_H)

    def follow_header(self) -> None:
        """Take the place the header's curves and size now give the lines (call after
        either changed)."""
        rect = QRectF()
        for line in self.lines():
            rect = rect.united(line.rect)
        bounds = rect.united(self.hint_rect()).adjusted(-3, -3, 3, 3)
        if bounds != self._bounds:
            self.prepareGeometryChange()  # while boundingRect still gives the old bounds
            self._bounds = bounds
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF(self._bounds)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        theme = self.scene().theme  # type: ignore[attr-defined]
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for line in self.lines():
            row = line.rect
            line_colour = QColor(line.colour)
            text_colour = QColor(theme.text)
            if not line.shown:  # hidden curves stay listed, dimmed and struck through
                line_colour.setAlpha(60)
                text_colour.setAlpha(110)
            active = line.owner == self.active and line.shown
            if active:
                fill = QColor(line.colour)
                fill.setAlpha(48)
                painter.setPen(QPen(line.colour, 1.4))
                painter.setBrush(fill)
                painter.drawRoundedRect(row.adjusted(-2, 0, 2, 0), 5, 5)
            _eye(painter, line.eye_rect(), theme.muted_text if line.shown else text_colour,
                 line.shown)
            left = row.left() + EYE_W + 2
            painter.setPen(make_pen(line_colour, 3, round_cap=True))
            painter.drawLine(QPointF(left + 2, row.center().y()),
                             QPointF(left + 16, row.center().y()))
            font = QFont(_font(active))
            font.setStrikeOut(not line.shown)
            painter.setFont(font)
            painter.setPen(text_colour)
            text_rect = QRectF(left + 22, row.top(), row.right() - left - 24, row.height())
            name = f"+ {line.name}" if active else line.name
            painter.drawText(text_rect,
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight,
                                                              int(text_rect.width())))
        painter.setFont(_font(False))
        painter.setPen(theme.muted_text)
        painter.drawText(self.hint_rect(),
                         int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignTop), HINT)
        if self.hasFocus():
            painter.setPen(QPen(theme.selection, 1.5, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self.boundingRect().adjusted(1, 1, -1, -1), 5, 5)

    def take_focus(self, reason: Qt.FocusReason) -> None:
        """Take the keyboard focus and show it (a dashed frame)."""
        self.setFocus(reason)
        self.update()

    def focusOutEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        self.update()  # the focus frame goes


def _eye(painter: QPainter, box: QRectF, colour: QColor, open_: bool) -> None:
    """An eye (open: the curve shows; struck through: hidden)."""
    c = box.center()
    eye = QPainterPath(QPointF(c.x() - 6, c.y()))
    eye.quadTo(QPointF(c.x(), c.y() - 6), QPointF(c.x() + 6, c.y()))
    eye.quadTo(QPointF(c.x(), c.y() + 6), QPointF(c.x() - 6, c.y()))
    painter.setPen(make_pen(colour, 1.3, round_cap=True))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(eye)
    painter.setBrush(colour)
    painter.drawEllipse(c, 1.6, 1.6)
    if not open_:
        painter.drawLine(QPointF(c.x() - 6, c.y() + 5), QPointF(c.x() + 6, c.y() - 5))


def legend_of(header: LaneHeaderItem) -> EmotionLegendItem | None:
    """The legend item of a lane header, if it has one."""
    return next((child for child in header.childItems()
                 if isinstance(child, EmotionLegendItem)), None)


def sync_legend(header: LaneHeaderItem, active: str | None) -> None:
    """Give an emotions lane's header its legend item (none when it lists no curve),
    highlighting ``active``, the curve new points join."""
    legend = legend_of(header)
    if not header.legend:
        if legend is not None and legend.scene() is not None:
            legend.scene().removeItem(legend)  # also takes it off the header
        return
    if legend is None:
        legend = EmotionLegendItem(header)
    legend.active = active
    legend.follow_header()
