"""A small dialog to choose a range of calendar days (either end may stay open)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QWidget,
)


class DateRangeDialog(QDialog):
    """From and to dates, both included; an unticked end means "no limit"."""

    def __init__(self, date_from: date | None, date_to: date | None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Overlay dates")
        self.from_on = QCheckBox("From")
        self.to_on = QCheckBox("To")
        self.from_edit = QDateEdit()
        self.to_edit = QDateEdit()
        for check, edit, value in ((self.from_on, self.from_edit, date_from),
                                   (self.to_on, self.to_edit, date_to)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate(value) if value else QDate.currentDate())
            check.setChecked(value is not None)
            edit.setEnabled(value is not None)
            check.toggled.connect(edit.setEnabled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.from_on, self.from_edit)
        form.addRow(self.to_on, self.to_edit)
        form.addRow(buttons)

    def range(self) -> tuple[date | None, date | None]:
        """The chosen days (None where the end is open)."""
        start = self.from_edit.date().toPython() if self.from_on.isChecked() else None
        end = self.to_edit.date().toPython() if self.to_on.isChecked() else None
        return start, end

    def _accept(self) -> None:
        start, end = self.range()
        if start and end and start > end:
            self.to_edit.setFocus()
            self.to_edit.setStyleSheet("border: 1px solid #cf3b35")
            return
        self.accept()
