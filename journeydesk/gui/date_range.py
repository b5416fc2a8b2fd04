"""The overlay's period and conversion window (docs/data.md): which users enter the funnel,
and how long they have to go through it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QWidget,
)

WINDOW_UNITS = (("minutes", 60), ("hours", 3600), ("days", 86400))


class DateRangeDialog(QDialog):
    """From and to dates, both included (an unticked end means "no limit"), and a conversion
    window (unticked: unlimited).  The dates start on the data's own range when given."""

    def __init__(self, date_from: date | None, date_to: date | None,
                 parent: QWidget | None = None, *, window_seconds: float | None = None,
                 data_range: tuple[date, date] | None = None):
        super().__init__(parent)
        self.setWindowTitle("Overlay period and window")
        self.from_on = QCheckBox("Entered from")
        self.to_on = QCheckBox("Entered until")
        self.from_edit = QDateEdit()
        self.to_edit = QDateEdit()
        first, last = data_range or (None, None)
        for check, edit, value, default in ((self.from_on, self.from_edit, date_from, first),
                                            (self.to_on, self.to_edit, date_to, last)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            start = value or default
            edit.setDate(QDate(start) if start else QDate.currentDate())
            check.setChecked(value is not None)
            edit.setEnabled(value is not None)
            check.toggled.connect(edit.setEnabled)
        self.window_on = QCheckBox("Within")
        self.window_value = QDoubleSpinBox()
        self.window_value.setRange(0.5, 100000)
        self.window_value.setDecimals(1)
        self.window_unit = QComboBox()
        for label, seconds in WINDOW_UNITS:
            self.window_unit.addItem(label, seconds)
        self._show_window(window_seconds)
        self.window_on.toggled.connect(self.window_value.setEnabled)
        self.window_on.toggled.connect(self.window_unit.setEnabled)
        window_row = QHBoxLayout()
        window_row.addWidget(self.window_value)
        window_row.addWidget(self.window_unit)
        note = QLabel("People count when they enter the first stage in the period; their "
                      "later steps count too.\nWith a window, every stage must follow within "
                      "that time of the first.")
        note.setWordWrap(True)
        if data_range is not None:
            note.setText(note.text() + f"\nThe data runs from {first.isoformat()} to "
                         f"{last.isoformat()}.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(note)
        form.addRow(self.from_on, self.from_edit)
        form.addRow(self.to_on, self.to_edit)
        form.addRow(self.window_on, window_row)
        form.addRow(buttons)

    def _show_window(self, seconds: float | None) -> None:
        unit = 2  # days, the usual window
        if seconds:
            unit = next(i for i in (2, 1, 0) if seconds >= WINDOW_UNITS[i][1] or i == 0)
            self.window_value.setValue(seconds / WINDOW_UNITS[unit][1])
        else:
            self.window_value.setValue(7)
        self.window_unit.setCurrentIndex(unit)
        self.window_on.setChecked(bool(seconds))
        self.window_value.setEnabled(bool(seconds))
        self.window_unit.setEnabled(bool(seconds))

    def range(self) -> tuple[date | None, date | None]:
        """The chosen days (None where the end is open)."""
        start = self.from_edit.date().toPython() if self.from_on.isChecked() else None
        end = self.to_edit.date().toPython() if self.to_on.isChecked() else None
        return start, end

    def window_seconds(self) -> float | None:
        """The chosen conversion window in seconds (None: unlimited)."""
        if not self.window_on.isChecked():
            return None
        return self.window_value.value() * float(self.window_unit.currentData())

    def _accept(self) -> None:
        start, end = self.range()
        if start and end and start > end:
            self.to_edit.setFocus()
            self.to_edit.setStyleSheet("border: 1px solid #cf3b35")
            return
        self.accept()
