"""The value-vs-effort matrix of the opportunity portfolio.

A 5 x 5 grid, value going up and effort going right; each scored opportunity is a small
labelled card in its cell, and the unscored ones wait in a tray to the right.  Dragging a card
to another cell re-scores it, dragging it into the tray clears its score: the view only says
so (``rescored``); the portfolio window runs the edit, and the document's change rebuilds the
cards (the items never write the model).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

from journeydesk.app.portfolio import Opportunity
from journeydesk.domain.model import OPPORTUNITY_STATUS_LABELS, SCORE_RANGE

LOW, HIGH = SCORE_RANGE
SCORES = range(LOW, HIGH + 1)
CELL_W, CARD_H, GAP, PAD = 112.0, 22.0, 4.0, 6.0
MIN_CARDS = 2  # room a row has for cards even when empty
AXIS = 44.0  # room for the axis labels, left and below
TRAY_GAP, TRAY_W = 18.0, 132.0
# The card fill of each status (idea, planned, in progress, done; no status like an idea).
STATUS_FILLS = {None: "#eceff1", "idea": "#eceff1", "planned": "#d6e6fb",
                "in_progress": "#ffe8b3", "done": "#d3f0d6"}
QUICK_WIN, MONEY_PIT = QColor("#f1f8e9"), QColor("#fdecea")


@dataclass(frozen=True)
class _Place:
    """Where a card may be dropped: a cell (value, effort), or the tray (None, None)."""

    value: int | None
    effort: int | None


class OpportunityItem(QGraphicsRectItem):
    """One opportunity as a small card: its text on its status's fill (a thin view)."""

    def __init__(self, item: Opportunity, width: float):
        super().__init__(0, 0, width, CARD_H)
        self.opportunity = item
        self.setBrush(QBrush(QColor(STATUS_FILLS.get(item.status, STATUS_FILLS[None]))))
        self.setPen(QPen(QColor("#90a4ae"), 1))
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setZValue(2)
        label = QGraphicsSimpleTextItem(self)
        font = QFont()
        font.setPointSizeF(8.5)
        label.setFont(font)
        text = " ".join(item.summary.split())
        label.setText(QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight,
                                                    int(width - 8)))
        label.setPos(4, (CARD_H - QFontMetrics(font).height()) / 2)
        tip = [item.text, f"{item.map_name} · {item.stage}"]
        if item.scored:
            tip.append(f"Value {item.value}, effort {item.effort} ({item.priority})")
        if item.status_label:
            tip.append(item.status_label)
        self.setToolTip("\n".join(tip))

    @property
    def key(self) -> tuple[str, str]:
        """(map id, card id)."""
        return self.opportunity.map_id, self.opportunity.card_id


class MatrixView(QGraphicsView):
    """The matrix and its tray; ``rescored(map_id, card_id, value, effort)`` asks for a new
    score (None, None: the tray), ``activated(map_id, card_id)`` comes on a double-click."""

    rescored = Signal(str, str, object, object)
    activated = Signal(str, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("portfolioMatrix")
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setMinimumSize(420, 320)
        self.items_by_key: dict[tuple[str, str], OpportunityItem] = {}
        self._cells: dict[_Place, QRectF] = {}
        self._dragged: OpportunityItem | None = None
        self._grab = QPointF()
        self._start = QPointF()

    # ------------------------------------------------------------------------ drawing
    def show_opportunities(self, items: Sequence[Opportunity]) -> None:
        """Draw the grid, the tray and a card for each of ``items``."""
        scene = self.scene()
        scene.clear()
        self.items_by_key.clear()
        self._cells.clear()
        self._dragged = None
        scored = {(v, e): [o for o in items if (o.value, o.effort) == (v, e)]
                  for v in SCORES for e in SCORES}
        tray = [o for o in items if not o.scored]
        # Each value row is as tall as its fullest cell (at least MIN_CARDS cards).
        heights = {v: PAD * 2 + max(MIN_CARDS, *(len(scored[v, e]) for e in SCORES))
                   * (CARD_H + GAP) for v in SCORES}
        y = 0.0
        for value in reversed(SCORES):  # value goes up
            for effort in SCORES:
                rect = QRectF(AXIS + (effort - LOW) * CELL_W, y, CELL_W, heights[value])
                self._cells[_Place(value, effort)] = rect
                self._draw_cell(rect, value, effort)
                self._stack(scored[value, effort], rect)
            label = scene.addSimpleText(str(value))
            label.setPos(AXIS - 16, y + heights[value] / 2 - 8)
            y += heights[value]
        for effort in SCORES:
            label = scene.addSimpleText(str(effort))
            label.setPos(AXIS + (effort - LOW + 0.5) * CELL_W - 4, y + 4)
        bold = QFont()
        bold.setBold(True)
        axis = scene.addSimpleText("Effort →", bold)
        axis.setPos(AXIS + 2.5 * CELL_W - 30, y + 18)
        axis = scene.addSimpleText("Value →", bold)
        axis.setRotation(-90)
        axis.setPos(0, y / 2 + 30)
        self._legend(y + 44)
        left = AXIS + len(SCORES) * CELL_W + TRAY_GAP
        needed = PAD * 2 + 22 + len(tray) * (CARD_H + GAP)
        tray_rect = QRectF(left, 0, TRAY_W, max(y, needed))
        self._cells[_Place(None, None)] = tray_rect
        scene.addRect(tray_rect, QPen(QColor("#b0bec5"), 1, Qt.PenStyle.DashLine),
                      QBrush(QColor("#fafafa")))
        title = scene.addSimpleText(f"Not scored ({len(tray)})", bold)
        title.setPos(left + PAD, PAD)
        self._stack(tray, tray_rect.adjusted(0, 22, 0, 0), TRAY_W)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-4, -4, 4, 4))
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Shrink the matrix and its tray to the view when the view is smaller (a 1280 x 720
        projector), never blow them up beyond their size."""
        rect = self.sceneRect()
        viewport = self.viewport().size()
        if rect.isEmpty() or viewport.isEmpty():
            return
        scale = min(1.0, viewport.width() / rect.width(), viewport.height() / rect.height())
        self.resetTransform()
        self.scale(scale, scale)

    def _legend(self, y: float) -> None:
        """The status fills, and what the tinted corners mean."""
        x = AXIS
        for status, label in (*OPPORTUNITY_STATUS_LABELS.items(), ("quick", "Quick wins"),
                              ("pit", "Money pits")):
            fill = QUICK_WIN if status == "quick" else MONEY_PIT if status == "pit" \
                else QColor(STATUS_FILLS[status])
            self.scene().addRect(QRectF(x, y + 2, 14, 12), QPen(QColor("#90a4ae")), fill)
            text = self.scene().addSimpleText(label)
            text.setPos(x + 18, y)
            x += 30 + text.boundingRect().width()

    def _draw_cell(self, rect: QRectF, value: int, effort: int) -> None:
        fill = QColor("#ffffff")
        if value >= 4 and effort <= 2:
            fill = QUICK_WIN  # worth doing first
        elif value <= 2 and effort >= 4:
            fill = MONEY_PIT
        self.scene().addRect(rect, QPen(QColor("#cfd8dc"), 1), QBrush(fill))

    def _stack(self, items: Sequence[Opportunity], rect: QRectF,
               width: float = CELL_W) -> None:
        for i, item in enumerate(items):
            card = OpportunityItem(item, width - 2 * PAD)
            card.setPos(rect.left() + PAD, rect.top() + PAD + i * (CARD_H + GAP))
            self.scene().addItem(card)
            self.items_by_key[card.key] = card

    def place_of(self, key: tuple[str, str]) -> QPointF:
        """The scene point at the middle of an opportunity's card (for tests and tools)."""
        return self.items_by_key[key].sceneBoundingRect().center()

    def cell_centre(self, value: int | None, effort: int | None) -> QPointF:
        """The scene point at the middle of a cell (None, None: the tray)."""
        return self._cells[_Place(value, effort)].center()

    def _place_at(self, point: QPointF) -> _Place | None:
        return next((place for place, rect in self._cells.items() if rect.contains(point)),
                    None)

    # ------------------------------------------------------------------------ dragging
    def _card_at(self, event: QMouseEvent) -> OpportunityItem | None:
        for hit in self.items(event.position().toPoint()):
            found = hit
            while found is not None and not isinstance(found, OpportunityItem):
                found = found.parentItem()
            if isinstance(found, OpportunityItem):
                return found
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        card = self._card_at(event) if event.button() == Qt.MouseButton.LeftButton else None
        if card is None:
            super().mousePressEvent(event)
            return
        self._dragged = card
        self._start = card.pos()
        self._grab = self.mapToScene(event.position().toPoint()) - card.pos()
        card.setZValue(10)
        card.setCursor(Qt.CursorShape.ClosedHandCursor)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._dragged is None:
            super().mouseMoveEvent(event)
            return
        self._dragged.setPos(self.mapToScene(event.position().toPoint()) - self._grab)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        card, self._dragged = self._dragged, None
        if card is None:
            super().mouseReleaseEvent(event)
            return
        event.accept()
        card.setZValue(2)
        card.setCursor(Qt.CursorShape.OpenHandCursor)
        place = self._place_at(self.mapToScene(event.position().toPoint()))
        item = card.opportunity
        if place is None or (place.value, place.effort) == (item.value, item.effort) \
                or (place.value is None and not item.scored):
            card.setPos(self._start)  # dropped where it was, or off the matrix
            return
        self.rescored.emit(item.map_id, item.card_id, place.value, place.effort)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        card = self._card_at(event)
        if card is None:
            super().mouseDoubleClickEvent(event)
            return
        event.accept()
        self.activated.emit(*card.key)
