"""The map page's owner and review rows: Owner, Review by (a date, clearable) and Review
every N days (how old the map's data snapshot may get before the map is stale).

:class:`ReviewRows` puts them on the inspector's map page and in its field table (so they are
filled from the model like its other fields); each edit goes through the inspector's
``_edit_map``: an EditMapCommand run by the editor, undoable, and ignored while the fields are
being filled from the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QSignalBlocker
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QWidget,
)

if TYPE_CHECKING:
    from journeydesk.gui.inspector import InspectorWidget

NOT_SET = "Not set"
# The date a review date edit shows as "Not set" (QDateEdit has no empty value).
NO_DATE = QDate(2000, 1, 1)
MAX_REVIEW_DAYS = 3650  # the domain's limit: ten years


class _OptionalDateEdit(QDateEdit):
    """A date edit whose minimum means "no date"; stepping or opening the calendar from
    there starts at today, not at the minimum."""

    def __init__(self) -> None:
        super().__init__()
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(NO_DATE)
        self.setSpecialValueText(NOT_SET)
        self.setKeyboardTracking(False)  # a typed date counts once it is finished
        self.setDate(NO_DATE)

    def is_set(self) -> bool:
        """Whether a date is shown (not "Not set")."""
        return self.date() != NO_DATE

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt override
        if self.is_set():
            super().stepBy(steps)
        else:
            self.setDate(QDate.currentDate())

    def keyPressEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        if not self.is_set() and event.text().isdigit():  # typing a date over "Not set"
            with QSignalBlocker(self):  # (today is no edit: only the typed date is)
                self.setDate(QDate.currentDate())
            self.setSelectedSection(QDateEdit.Section.YearSection)  # typed from the year
        super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        if not self.is_set():  # the calendar opens on this month, nothing chosen yet
            self.calendarWidget().setCurrentPage(QDate.currentDate().year(),
                                                 QDate.currentDate().month())
        super().mousePressEvent(event)


class ReviewRows:
    """The owner and review fields of the inspector's map page."""

    def __init__(self, inspector: InspectorWidget):
        from journeydesk.gui.inspector import _Field, _put  # the inspector imports this module

        self._edit_map = inspector._edit_map  # noqa: SLF001 - the inspector's own edit
        self.owner = QLineEdit()
        self.owner.setObjectName("mapOwner")
        self.owner.setPlaceholderText("who keeps this map up to date")
        self.review_by = _OptionalDateEdit()
        self.review_by.setObjectName("mapReviewBy")
        self.clear_review_by = QToolButton()
        self.clear_review_by.setObjectName("clearReviewBy")
        self.clear_review_by.setText("Clear")
        self.clear_review_by.setToolTip("No review date")
        self.clear_review_by.setAccessibleName("Clear the review date")
        self.review_by_row = QWidget()
        row = QHBoxLayout(self.review_by_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.review_by, 1)
        row.addWidget(self.clear_review_by)
        self.review_days = QSpinBox()
        self.review_days.setObjectName("mapReviewDays")
        self.review_days.setRange(0, MAX_REVIEW_DAYS)
        self.review_days.setSpecialValueText(NOT_SET)
        self.review_days.setSuffix(" days")
        self.review_days.setKeyboardTracking(False)
        self.review_days.setToolTip("The map is stale when its newest data snapshot (View > "
                                    "Save numbers as a snapshot) is older than this")
        form = inspector.map_page.layout()
        assert isinstance(form, QFormLayout)
        for label, widget in (("Owner", self.owner), ("Review by", self.review_by_row),
                              ("Review every", self.review_days)):
            widget.setAccessibleName(label)
            form.addRow(label, widget)
        inspector._fields["map"] += [  # noqa: SLF001 - the inspector's own field table
            _Field(self.owner, lambda m: m.owner, lambda v: _put(self.owner, v)),
            _Field(self.review_by_row, lambda m: m.review_by, self._show_review_by),
            _Field(self.review_days, lambda m: m.review_days or 0,
                   lambda v: _put(self.review_days, v)),
        ]
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.owner.editingFinished.connect(
            lambda: self._edit_map(owner=self.owner.text().strip()))
        self.review_by.dateChanged.connect(self._on_review_by_changed)
        self.clear_review_by.clicked.connect(lambda _c=False: self.review_by.setDate(NO_DATE))
        self.review_days.valueChanged.connect(
            lambda days: self._edit_map(review_days=days or None))

    def _on_review_by_changed(self, day: QDate) -> None:
        self.clear_review_by.setEnabled(day != NO_DATE)
        self._edit_map(review_by=day.toString("yyyy-MM-dd") if day != NO_DATE else None)

    def _show_review_by(self, review_by: str | None) -> None:
        day = QDate.fromString(review_by, "yyyy-MM-dd") if review_by else NO_DATE
        self.review_by.setDate(day if day.isValid() else NO_DATE)
        self.clear_review_by.setEnabled(self.review_by.is_set())

