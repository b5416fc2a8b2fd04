"""What the analytics dock's own panels (what people did instead, retention) share: a card
styled like the dock's charts, share bars in table cells, and the dock's inputs and theme.

A panel is a card in the dock's grid; it is computed when the dock draws the overlay's funnel
(the moment the dock's charts are computed, with the same inputs: data, stages, segment, dates,
window), on its own :class:`~journeydesk.gui.latest_work.LatestWork`, and says "updated" on the
dock's :attr:`updated` signal under its own name when it has drawn.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from journeydesk.gui.canvas.theme import Theme
from journeydesk.gui.charts import BLUE, ERROR_TEXT, _surface
from journeydesk.gui.latest_work import LatestWork

SHARE_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # a cell's share (0..1) drawn as a bar


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` blended towards ``b`` by ``t`` (0..1)."""
    t = max(0.0, min(1.0, t))
    return QColor(round(a.red() + (b.red() - a.red()) * t),
                  round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


def hint_label(text: str = "") -> QLabel:
    """A muted line that may be cut (its tooltip has it all), never widening the dock."""
    label = QLabel(text)
    label.setObjectName("hint")
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(1)
    return label


def control_label(text: str) -> QLabel:
    """A muted label before a control, never cut."""
    label = QLabel(text)
    label.setObjectName("hint")
    return label


class ShareBarDelegate(QStyledItemDelegate):
    """A cell with a share: a bar as long as the share under its text."""

    def __init__(self, colour: QColor, parent: QWidget | None = None):
        super().__init__(parent)
        self.colour = colour

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex) -> None:
        share = index.data(SHARE_ROLE)
        if isinstance(share, float):
            rect = QRectF(option.rect).adjusted(3, 4, -3, -4)
            bar = QColor(self.colour)
            bar.setAlpha(110)
            painter.save()
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(bar)
            painter.drawRoundedRect(QRectF(rect.x(), rect.y(),
                                           max(1.0, rect.width() * min(share, 1.0)),
                                           rect.height()), 2, 2)
            painter.restore()
        super().paint(painter, option, index)


def make_table(headers: list[str], name: str) -> QTableWidget:
    """A read-only table of a dock panel: whole rows selected, no grid, stretching first
    column."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    table.setShowGrid(False)
    table.setMinimumHeight(150)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, len(headers)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return table


def share_column(table: QTableWidget, column: int, colour: QColor) -> None:
    """Draw ``column``'s shares as bars, in a column wide enough for them."""
    table.setItemDelegateForColumn(column, ShareBarDelegate(colour, table))
    table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
    table.setColumnWidth(column, 120)


class DockPanel(QFrame):
    """A card of the analytics dock computed off the GUI thread (a base class)."""

    kind = "panel"  # the name the dock's ``updated`` signal carries for this panel

    def __init__(self, dock: Any, title: str, hint: str):
        super().__init__()
        self.dock = dock
        self.controller = dock.controller
        self.work = LatestWork(self.kind, self)
        self.setObjectName("card")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(10, 8, 10, 8)
        self.body.setSpacing(4)
        head = QHBoxLayout()
        label = QLabel(title)
        label.setObjectName("title")
        head.addWidget(label)
        sub = hint_label(hint)
        sub.setToolTip(hint)
        head.addWidget(sub, 1)
        self.body.addLayout(head)
        self.controls = QHBoxLayout()
        self.body.addLayout(self.controls)
        self.error = hint_label()
        self.error.setObjectName("chartError")
        self.error.hide()
        self.body.addWidget(self.error)
        dock.updated.connect(self._on_dock_updated)
        self.controller.started.connect(self._on_started)
        self.controller.shown_changed.connect(self._on_shown_changed)

    # ------------------------------------------------------------------ to override
    def key(self, inputs: Any) -> Any:
        """Everything the panel's numbers depend on (None: nothing to compute)."""
        raise NotImplementedError

    def compute(self, *_: object) -> None:
        """Ask for the panel's numbers with the dock's current inputs."""
        raise NotImplementedError

    def set_theme(self, theme: Theme) -> None:
        """Follow the dock's theme (the dock's style sheet paints the card)."""
        self.error.setStyleSheet(f"color: {ERROR_TEXT.get(theme.name, ERROR_TEXT['light'])}")

    # ------------------------------------------------------------------ shared
    @property
    def theme(self) -> Theme:
        return self.dock.theme

    def surface(self) -> QColor:
        return _surface(self.theme)

    def accent(self) -> QColor:
        return QColor(BLUE)

    def inputs(self) -> Any:
        """The dock's inputs, or None while there is nothing to compute."""
        return self.dock._inputs()

    def request(self, inputs: Any, work: Any, done: Any) -> bool:
        """Compute ``work(data)`` for the panel's key unless it is on show or computing."""
        from functools import partial

        key = self.key(inputs)
        if key is None:
            return False
        return self.work.request(key, work, partial(self.dock._data_for_job, inputs), done)

    def delivered(self, error: BaseException | None) -> bool:
        """Show or hide the error line; True when there are numbers to draw."""
        if error is None:
            self.error.hide()
            return True
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        self.error.setText(f"⚠ Could not compute this: {text}")
        self.error.setToolTip(str(error))
        self.error.show()
        return False

    def drawn(self) -> None:
        self.dock.updated.emit(self.kind)

    def busy(self) -> bool:
        """Whether the panel's numbers are being computed or wait to be."""
        return self.work.busy()

    def close_panel(self) -> None:
        """Stop for good (the window is closing)."""
        self.work.close()

    def reveal(self) -> None:
        """Scroll the dock to this panel (the dock is shown first by whoever asks)."""
        self.dock.scroll.ensureWidgetVisible(self, 0, 0)

    def _on_dock_updated(self, kind: str) -> None:
        if kind == "funnel":  # the dock's charts are being computed: so is the panel
            self.compute()

    def _on_started(self, *_: object) -> None:
        inputs = self.dock._inputs(waiting=False)
        if inputs is None or self.work.key not in (None, self.key(inputs)):
            self.work.cancel()

    def _on_shown_changed(self, shown: bool) -> None:
        if not shown:
            self.work.cancel()
