"""The small dialog that asks for a new lane's name and type.

The type follows the name as it is typed ("Staff / backstage" makes it a backstage lane), by
the rule the spreadsheet import uses, until the user picks a type in the list.  OK is
offered only for a name the map does not have yet; Esc adds nothing.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from journeydesk.app.lanes import guess_lane_type
from journeydesk.domain.model import LANE_TYPE_LABELS, Lane, LaneType


class AddLaneDialog(QDialog):
    """Name and type of a lane to add; :meth:`lane` is the lane once accepted."""

    def __init__(self, taken: set[str], parent: QWidget | None = None,
                 lane_type: LaneType | None = None):
        super().__init__(parent)
        self.setObjectName("addLaneDialog")
        self.setWindowTitle("Add lane")
        self._taken = set(taken)
        self._type_chosen = lane_type is not None  # a given or picked type is not guessed
        self.name_field = QLineEdit()
        self.name_field.setPlaceholderText("e.g. Staff / backstage")
        self.name_field.setAccessibleName("Lane name")
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Lane type")
        for each in LaneType:
            self.type_combo.addItem(LANE_TYPE_LABELS[each], each.value)
        self.type_combo.setCurrentIndex(self.type_combo.findData(
            (lane_type or LaneType.ACTIONS).value))
        self.type_hint = QLabel()
        self.type_hint.setObjectName("laneTypeHint")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add lane")
        form = QFormLayout(self)
        form.addRow("&Name", self.name_field)
        form.addRow("&Type", self.type_combo)
        form.addRow("", self.type_hint)
        form.addRow(self.buttons)
        self._connect_signals()
        self._on_name_edited(self.name_field.text())

    def _connect_signals(self) -> None:
        self.name_field.textChanged.connect(self._on_name_edited)
        self.type_combo.activated.connect(self._on_type_picked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def lane_type(self) -> LaneType:
        """The type chosen (or guessed)."""
        return LaneType(self.type_combo.currentData())

    def lane(self) -> Lane:
        """A new lane with the name and type shown."""
        return Lane(name=self.name_field.text().strip(), type=self.lane_type())

    def accept(self) -> None:
        """Close with the lane (only with a usable name: Enter on a refused name waits)."""
        if self.ok_button.isEnabled():
            super().accept()

    def _on_name_edited(self, text: str) -> None:
        name = text.strip()
        if not self._type_chosen:
            guessed = guess_lane_type(name)
            self.type_combo.setCurrentIndex(self.type_combo.findData(guessed.value))
            self.type_hint.setText(f"Guessed from the name: {LANE_TYPE_LABELS[guessed]}"
                                   if name and guessed is not LaneType.ACTIONS else "")
        if name in self._taken:
            self.type_hint.setText("The map has a lane with this name already.")
        self.ok_button.setEnabled(bool(name) and name not in self._taken)

    def _on_type_picked(self, _index: int) -> None:
        self._type_chosen = True
        self.type_hint.setText("")
