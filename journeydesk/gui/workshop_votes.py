"""Vote rounds of a workshop at the laptop: choosing what is voted on, entering dots at the
laptop (rooms without phones), and the dots on the canvas once revealed.

The dots are drawn by :class:`DotBadgeItem`, a small item placed on a card item as its child:
the card items stay as they are, and the badges go with their cards (moved, deleted).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import shiboken6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGraphicsItem,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QStyleOptionGraphicsItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journeydesk.app.workshop.room import MAX_DOTS
from journeydesk.domain.model import JourneyMap

LABEL_CHARS = 80
DOT_COLOUR = QColor("#d6453d")
LANE_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def card_label(text: str) -> str:
    """A card's text as a one-line label (phones, ranking)."""
    line = " ".join(text.split()) or "(empty card)"
    return line if len(line) <= LABEL_CHARS else line[:LABEL_CHARS - 1] + "…"


def eligible_cards(journey_map: JourneyMap, lane_ids: Sequence[str],
                   card_ids: Sequence[str] = ()) -> dict[str, str]:
    """The cards of ``lane_ids`` and the cards ``card_ids``, id -> label, in the map's order."""
    lanes, chosen = set(lane_ids), set(card_ids)
    return {card.id: card_label(card.text) for card in journey_map.ordered_cards()
            if card.lane_id in lanes or card.id in chosen}


class StartVoteDialog(QDialog):
    """Workshop > Start vote…: the lanes whose cards are voted on and/or the selected cards,
    and the dots each person has."""

    def __init__(self, journey_map: JourneyMap, selected: Sequence[str],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Start a vote")
        self.setObjectName("startVoteDialog")
        self.journey_map = journey_map
        self.selected = list(selected)
        column = QVBoxLayout(self)
        column.addWidget(QLabel("Which cards can get dots?"))
        self.lanes = QListWidget()
        self.lanes.setObjectName("voteLanes")
        for lane in journey_map.lanes:
            count = sum(1 for c in journey_map.cards.values() if c.lane_id == lane.id)
            item = QListWidgetItem(f"{lane.name or 'Lane'} ({count} cards)")
            item.setData(LANE_ROLE, lane.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            if not count:  # nothing to vote on there (the emotions lane, an empty lane)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip("No cards in this lane")
            self.lanes.addItem(item)
        column.addWidget(self.lanes, 1)
        self.use_selected = QCheckBox(f"The selected cards ({len(self.selected)})")
        self.use_selected.setEnabled(bool(self.selected))
        self.use_selected.setChecked(bool(self.selected))
        column.addWidget(self.use_selected)
        form = QFormLayout()
        self.dots = QSpinBox()
        self.dots.setRange(1, MAX_DOTS)
        self.dots.setValue(3)
        self.dots.setAccessibleName("Dots per person")
        form.addRow("Dots per person:", self.dots)
        column.addLayout(form)
        self.summary = QLabel()
        column.addWidget(self.summary)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start vote")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)
        self.lanes.itemChanged.connect(self._update)
        self.use_selected.toggled.connect(self._update)
        self._update()

    def set_lane_checked(self, lane_id: str, checked: bool = True) -> None:
        """Tick (or untick) a lane."""
        for row in range(self.lanes.count()):
            item = self.lanes.item(row)
            if item.data(LANE_ROLE) == lane_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def lane_ids(self) -> list[str]:
        """The ticked lanes."""
        return [self.lanes.item(r).data(LANE_ROLE) for r in range(self.lanes.count())
                if self.lanes.item(r).checkState() == Qt.CheckState.Checked]

    def cards(self) -> dict[str, str]:
        """The eligible cards, id -> label."""
        chosen = self.selected if self.use_selected.isChecked() else []
        return eligible_cards(self.journey_map, self.lane_ids(), chosen)

    def _update(self, *_: object) -> None:
        count = len(self.cards())
        self.summary.setText(f"{count} card{'' if count == 1 else 's'} in the vote.")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(count > 0)


class LaptopVotesDialog(QDialog):
    """Dots entered at the laptop, a number per card (for a room without phones)."""

    def __init__(self, cards: dict[str, str], given: dict[str, int],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add votes at the laptop")
        self.setObjectName("laptopVotesDialog")
        column = QVBoxLayout(self)
        column.addWidget(QLabel("Dots counted in the room, per card (these replace the dots "
                                "entered here before; the phones' dots are added to them):"))
        self.table = QTableWidget(len(cards), 2)
        self.table.setHorizontalHeaderLabels(["Card", "Dots"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.spins: dict[str, QSpinBox] = {}
        for row, (card_id, label) in enumerate(cards.items()):
            item = QTableWidgetItem(label)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 0, item)
            spin = QSpinBox()
            spin.setRange(0, 999)
            spin.setValue(given.get(card_id, 0))
            spin.setAccessibleName(f"Dots for {label}")
            self.table.setCellWidget(row, 1, spin)
            self.spins[card_id] = spin
        column.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.resize(520, 420)

    def dots(self) -> dict[str, int]:
        """The dots per card (cards with none left out)."""
        return {card_id: spin.value() for card_id, spin in self.spins.items() if spin.value()}


class DotBadgeItem(QGraphicsItem):
    """A red dot with a number at a card's top right corner: the dots it got."""

    RADIUS = 14.0

    def __init__(self, dots: int, parent: QGraphicsItem):
        super().__init__(parent)
        self.dots = dots
        self.setZValue(5)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setToolTip(f"{dots} dot{'' if dots == 1 else 's'}")

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        r = self.RADIUS + 1
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("white"), 2.0))
        painter.setBrush(DOT_COLOUR)
        r = self.RADIUS
        painter.drawEllipse(QRectF(-r, -r, 2 * r, 2 * r))
        font = QFont()
        font.setPixelSize(15 if self.dots < 100 else 11)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(-r, -r, 2 * r, 2 * r), int(Qt.AlignmentFlag.AlignCenter),
                         str(self.dots))


class DotBadges:
    """The revealed dots on the cards of a scene (kept across the scene's item changes)."""

    def __init__(self, scene_of: Callable[[], object]):
        self._scene_of = scene_of
        self.totals: dict[str, int] = {}
        self.items: dict[str, DotBadgeItem] = {}

    def show(self, totals: dict[str, int]) -> None:
        """Show these dots (card id -> dots; cards with 0 get no badge)."""
        self.totals = {card_id: dots for card_id, dots in totals.items() if dots > 0}
        self.refresh()

    def clear(self) -> None:
        """No dots."""
        self.totals = {}
        self.refresh()

    def shown(self) -> dict[str, int]:
        """The dots on show now, card id -> dots (badges whose card item is there)."""
        return {card_id: item.dots for card_id, item in self.items.items()
                if shiboken6.isValid(item) and item.scene() is not None}

    def badge(self, card_id: str) -> DotBadgeItem | None:
        """The badge on a card, if one is on show."""
        item = self.items.get(card_id)
        return item if item is not None and shiboken6.isValid(item) else None

    def refresh(self) -> None:
        """Put the badges on the card items there are now."""
        for item in self.items.values():
            if shiboken6.isValid(item) and item.scene() is not None:
                item.scene().removeItem(item)
        self.items = {}
        scene = self._scene_of()
        cards = getattr(scene, "cards", None)
        if not cards or not self.totals:
            return
        for card_id, dots in self.totals.items():
            card_item = cards.get(card_id)
            if card_item is None:
                continue
            badge = DotBadgeItem(dots, card_item)
            rect = card_item.rect()
            badge.setPos(rect.right() - 4, rect.top() + 4)
            self.items[card_id] = badge
