"""The inspector's opportunity rows: an opportunity's place in the portfolio.

:class:`OpportunityRows` puts Value and Effort (1..5), Status, Owner and "Addresses" (the pain
points of the same map it addresses, ticked in a list) on the inspector's card page.  They are
shown for cards in an opportunities lane (and for any card that already holds one of these
values).  Every edit is an :class:`~journeydesk.domain.commands.EditCardCommand` run through the
inspector, so it is undoable like the card's other fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QWidget,
)

from journeydesk.app.text import one_line
from journeydesk.domain.model import (
    OPPORTUNITY_STATUS_LABELS,
    OPPORTUNITY_STATUSES,
    SCORE_RANGE,
    Card,
    LaneType,
)

if TYPE_CHECKING:
    from journeydesk.gui.inspector import InspectorWidget

CARD_ID_ROLE = Qt.ItemDataRole.UserRole


class OpportunityRows:
    """The portfolio fields of the inspector's card page."""

    def __init__(self, inspector: InspectorWidget):
        from journeydesk.gui.inspector import _Field, _put  # the inspector imports this module

        self.inspector = inspector
        self.value = _score_box("How much it is worth to customers and the business (1-5)")
        self.effort = _score_box("How much it takes to do (1-5)")
        self.status = QComboBox()
        self.status.addItems(["None", *(OPPORTUNITY_STATUS_LABELS[s]
                                        for s in OPPORTUNITY_STATUSES)])
        self.owner = QLineEdit()
        self.owner.setPlaceholderText("who takes it forward")
        self.addresses = QListWidget()
        self.addresses.setObjectName("opportunityAddresses")
        self.addresses.setMaximumHeight(130)
        self.addresses.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.addresses.setToolTip("Tick the pain points of this map this opportunity addresses")
        self.rows: list[QWidget] = [self.value, self.effort, self.status, self.owner,
                                    self.addresses]
        form = inspector.card_page.layout()
        assert isinstance(form, QFormLayout)
        for label, widget in zip(("Value", "Effort", "Status", "Owner", "Addresses"),
                                 self.rows, strict=True):
            widget.setAccessibleName(label)
            form.addRow(label, widget)
        inspector._fields["card"] += [  # noqa: SLF001 - the inspector's own field table
            _Field(self.value, lambda c: c.value or 0, lambda v: _put(self.value, v)),
            _Field(self.effort, lambda c: c.effort or 0, lambda v: _put(self.effort, v)),
            _Field(self.status, lambda c: 0 if c.status is None
                   else OPPORTUNITY_STATUSES.index(c.status) + 1,
                   lambda v: _put(self.status, v)),
            _Field(self.owner, lambda c: c.owner or "", lambda v: _put(self.owner, v)),
            # last: it also shows or hides the rows, as the card's lane type says
            _Field(self.addresses, self._addresses_state, self._show_addresses),
        ]
        self._connect_signals()

    def _connect_signals(self) -> None:
        edit = self.inspector._edit_card  # noqa: SLF001
        self.value.valueChanged.connect(lambda v: edit(value=v or None))
        self.effort.valueChanged.connect(lambda v: edit(effort=v or None))
        self.status.activated.connect(
            lambda i: edit(status=None if i == 0 else OPPORTUNITY_STATUSES[i - 1]))
        self.owner.editingFinished.connect(lambda: edit(owner=self.owner.text().strip() or None))
        self.addresses.itemChanged.connect(self._on_ticked)

    # ------------------------------------------------------------------------ addresses
    def _addresses_state(self, card: Card) -> tuple[bool, tuple[tuple[str, str, bool], ...]]:
        """Whether the rows are shown, and the pain points offered: (id, text, ticked)."""
        m = self.inspector.editor.document.workspace.maps[self.inspector.map_id]
        lane_type = LaneType(m.lane(card.lane_id).type)
        shown = lane_type is LaneType.OPPORTUNITIES or any(
            v for v in (card.value, card.effort, card.status, card.owner, card.addresses))
        pains = {lane.id for lane in m.lanes if LaneType(lane.type) is LaneType.PAIN_POINTS}
        offered = [c for c in m.ordered_cards()
                   if c.id != card.id and (c.lane_id in pains or c.id in card.addresses)]
        return shown, tuple((c.id, one_line(c.text) or "(no text)", c.id in card.addresses)
                            for c in offered)

    def _show_addresses(self, state: tuple[bool, tuple[tuple[str, str, bool], ...]]) -> None:
        shown, offered = state
        form = self.inspector.card_page.layout()
        for widget in self.rows:
            form.setRowVisible(widget, shown)
        listed = [(self.addresses.item(i).data(CARD_ID_ROLE), self.addresses.item(i).text())
                  for i in range(self.addresses.count())]
        self.addresses.blockSignals(True)
        try:
            if offered and listed == [(card_id, text) for card_id, text, _ in offered]:
                # the same pain points: only the ticks change (a tick's own edit comes back
                # here while its item is still emitting, so it must not be deleted)
                for i, (_card_id, _text, ticked) in enumerate(offered):
                    self.addresses.item(i).setCheckState(
                        Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
                return
            self.addresses.clear()
            for card_id, text, ticked in offered:
                item = QListWidgetItem(text)
                item.setToolTip(text)
                item.setData(CARD_ID_ROLE, card_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
                self.addresses.addItem(item)
            if not offered:
                hint = QListWidgetItem("No pain points on this map yet")
                hint.setFlags(Qt.ItemFlag.NoItemFlags)
                self.addresses.addItem(hint)
        finally:
            self.addresses.blockSignals(False)

    def _on_ticked(self, _item: QListWidgetItem) -> None:
        ticked = [self.addresses.item(i).data(CARD_ID_ROLE) for i in range(self.addresses.count())
                  if self.addresses.item(i).checkState() == Qt.CheckState.Checked]
        self.inspector._edit_card(addresses=[i for i in ticked if i])  # noqa: SLF001


def _score_box(tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, SCORE_RANGE[1])
    box.setSpecialValueText("None")
    box.setToolTip(tip)
    return box
