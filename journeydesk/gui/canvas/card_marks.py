"""What a card shows besides its content: how well it is backed, and its open comments.

* Evidence: the card's border says its level, subtly: dashed for "assumed", solid for heard in
  research or observed, a thicker solid line for "measured" in data (:func:`evidence_pen`).
* "Highlight assumptions" (View menu) dims every card that is not assumed, so the guesses
  stand out (:func:`set_highlight`); it is a view of the live canvas only, never exported.
* A badge at the card's top-right corner counts its open comments (:class:`CommentBadgeItem`,
  a child item: it may stand over the card's edge, and the card's cached picture stays).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from journeydesk.app.comments import open_counts
from journeydesk.domain.model import EVIDENCE_LABELS, Card
from journeydesk.gui.canvas.text import CARD_W

if TYPE_CHECKING:
    from journeydesk.gui.canvas.items import CardItem
    from journeydesk.gui.canvas.scene import MapScene

DIMMED = 0.28  # the opacity of a backed card while the assumptions are highlighted
BADGE_W, BADGE_H = 24.0, 17.0
BADGE_COLOUR = QColor("#e07b00")


def evidence_pen(pen: QPen, card: Card, emphasised: bool) -> QPen:
    """``pen`` (the card's border) styled for the card's evidence level; a selected or found
    card keeps its emphasised outline solid."""
    if card.evidence == "measured":
        pen.setWidthF(max(pen.widthF(), 2.0))
    elif card.evidence == "assumed" and not emphasised:
        pen.setWidthF(1.2)
        pen.setStyle(Qt.PenStyle.CustomDashLine)
        pen.setDashPattern([4.0, 3.0])
    return pen


def tooltip(card: Card) -> str:
    """The card's tooltip: its text, and how well it is backed (with the source) unless it is
    a plain assumption."""
    if card.evidence == "assumed" and not card.source:
        return card.text
    level = EVIDENCE_LABELS.get(card.evidence, card.evidence)
    source = f": {card.source}" if card.source else ""
    return f"{card.text}\n\nEvidence: {level}{source}" if card.text else \
        f"Evidence: {level}{source}"


# --------------------------------------------------------------------------- highlight
def set_highlight(scene: MapScene, on: bool) -> None:
    """Dim every card that is not assumed (``on``), or show all cards alike."""
    scene.highlight_assumptions = on
    _dim(scene, scene.cards.values())


def _dim(scene: MapScene, items: Iterable[CardItem]) -> None:
    on = scene.highlight_assumptions
    for item in items:
        opacity = DIMMED if on and item.card.evidence != "assumed" else 1.0
        if item.opacity() != opacity:
            item.setOpacity(opacity)


# --------------------------------------------------------------------------- badges
def follow_cards(scene: MapScene, card_ids: Iterable[str] | None = None) -> None:
    """After cards or comments changed: the badges and the dimming of these cards (None:
    of every card)."""
    counts = open_counts(scene.map)
    items = scene.cards.values() if card_ids is None else [
        scene.cards[c] for c in card_ids if c in scene.cards]
    for item in items:
        badge = next((c for c in item.childItems() if isinstance(c, CommentBadgeItem)), None)
        count = counts.get(item.card.id, 0) if scene.comment_badges else 0
        if count and badge is None:
            badge = CommentBadgeItem(item)
        if badge is not None:
            badge.set_count(count)
        item.setToolTip(tooltip(item.card))
    _dim(scene, items)


def hide_comment_badges(scene: MapScene) -> None:
    """No comment badges on this scene (a picture for an export)."""
    scene.comment_badges = False
    follow_cards(scene)


class CommentBadgeItem(QGraphicsItem):
    """A speech bubble with the number of a card's open comments, over its top-right
    corner."""

    def __init__(self, card_item: QGraphicsItem):
        super().__init__(card_item)
        self.count = 0
        self.setPos(CARD_W - BADGE_W + 6, -7)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks go to the card
        # open comments stay in sight on a card dimmed by Highlight assumptions
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresParentOpacity)

    def set_count(self, count: int) -> None:
        """Show ``count`` open comments (0: hide the badge)."""
        if count != self.count:
            self.count = count
            self.setToolTip(f"{count} open comment{'s' if count != 1 else ''}")
            self.update()
        self.setVisible(count > 0)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF(-1, -1, BADGE_W + 2, BADGE_H + 6)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bubble = QPainterPath()
        bubble.addRoundedRect(QRectF(0, 0, BADGE_W, BADGE_H), 6, 6)
        tail = QPainterPath()
        tail.moveTo(QPointF(6, BADGE_H - 1))
        tail.lineTo(QPointF(5, BADGE_H + 4))
        tail.lineTo(QPointF(11, BADGE_H - 1))
        tail.closeSubpath()
        painter.setPen(QPen(QColor("white"), 1.2))
        painter.setBrush(BADGE_COLOUR)
        painter.drawPath(bubble.united(tail))
        font = QFont()
        font.setPixelSize(11)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        text = str(self.count) if self.count < 100 else "99+"
        painter.drawText(QRectF(0, 0, BADGE_W, BADGE_H), int(Qt.AlignmentFlag.AlignCenter), text)
