"""The opportunity portfolio window: every map's opportunities in one table and one matrix.

The table lists them (map, stage, text, value, effort, score, status, owner, the pain points
they address), filtered and sorted; value, effort, status and owner are edited in place.  The
value-vs-effort matrix (:mod:`.portfolio_matrix`) re-scores a card dragged to another cell.
Every edit is an EditCardCommand through :meth:`Editor.run`, so it lands on its map's
history; Ctrl+Z here undoes the portfolio's last edit on that map's history, whichever map is
on show in the main window.  A double-click opens the card's map and selects the card.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journeydesk.app.portfolio import (
    NO_STATUS,
    Opportunity,
    export_portfolio,
    filter_opportunities,
    list_opportunities,
    sort_opportunities,
)
from journeydesk.domain.commands import Changes, EditCardCommand
from journeydesk.domain.model import OPPORTUNITY_STATUS_LABELS, OPPORTUNITY_STATUSES
from journeydesk.gui.editing import Editor
from journeydesk.gui.file_dialogs import ask_save_path
from journeydesk.gui.listening import follow
from journeydesk.gui.portfolio_matrix import MatrixView
from journeydesk.gui.screens import fitted

COLUMNS = ("Map", "Stage", "Opportunity", "Value", "Effort", "Score", "Status", "Owner",
           "Addresses")
MAP, STAGE, TEXT, VALUE, EFFORT, SCORE, STATUS, OWNER, ADDRESSES = range(len(COLUMNS))
EDITABLE = {VALUE: "value", EFFORT: "effort", STATUS: "status", OWNER: "owner"}
KEY_ROLE = Qt.ItemDataRole.UserRole  # (map id, card id) on every cell
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_CHOICES = (("priority", "Priority (2 × value − effort)"), ("value", "Value"),
                ("effort", "Effort"), ("status", "Status"), ("map", "Map"),
                ("owner", "Owner"), ("text", "Text"))
EXPORT_FILTERS = "Issue tracker CSV (*.csv);;Excel workbook (*.xlsx)"
# Change keys after which the list is read again: cards, lanes (a lane's type), stages, maps.
REFRESH_KINDS = frozenset({"card", "lanes", "stages", "map"})
NO_SCORE = "–"


class _SortItem(QTableWidgetItem):
    """A cell sorted by its SORT_ROLE value (numbers as numbers, empty ones last)."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        return (mine is None, mine if mine is not None else 0) < \
            (theirs is None, theirs if theirs is not None else 0)


class _CellDelegate(QStyledItemDelegate):
    """Spin boxes for value and effort (– is none), a list for the status."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        if index.column() in (VALUE, EFFORT):
            box = QSpinBox(parent)
            box.setRange(0, 5)
            box.setSpecialValueText(NO_SCORE)
            return box
        if index.column() == STATUS:
            combo = QComboBox(parent)
            combo.addItems(["", *OPPORTUNITY_STATUS_LABELS.values()])
            return combo
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget,  # noqa: N802 - Qt override
                      index: QModelIndex | QPersistentModelIndex) -> None:
        text = str(index.data() or "")
        if isinstance(editor, QSpinBox):
            editor.setValue(int(text) if text.isdigit() else 0)
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findText(text)))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any,  # noqa: N802 - Qt override
                     index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QSpinBox):
            model.setData(index, str(editor.value()) if editor.value() else NO_SCORE)
        elif isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())
        else:
            super().setModelData(editor, model, index)


class PortfolioWindow(QWidget):
    """Opportunity portfolio: a filterable table and a value-vs-effort matrix."""

    def __init__(self, editor: Editor, parent: QWidget | None = None, *,
                 open_card: Callable[[str, str], None] | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.editor = editor
        self.open_card = open_card
        self.setObjectName("portfolioWindow")
        self.setWindowTitle("Opportunity portfolio")
        self.resize(fitted(1400, 760, margin=20))
        self.items: list[Opportunity] = []  # on show, in the table's first order
        self._filling = False
        self._edited_maps: list[str] = []  # maps edited here, the last one last
        self._undone_maps: list[str] = []

        self.map_filter = QComboBox()
        self.status_filter = QComboBox()
        self.status_filter.addItem("Any status", None)
        for status in OPPORTUNITY_STATUSES:
            self.status_filter.addItem(OPPORTUNITY_STATUS_LABELS[status], status)
        self.status_filter.addItem("No status", NO_STATUS)
        self.owner_filter = QComboBox()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search text, stage, owner, pain points")
        self.search.setClearButtonEnabled(True)
        self.sort_choice = QComboBox()
        for key, text in SORT_CHOICES:
            self.sort_choice.addItem(text, key)
        self.count_label = QLabel()
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.setToolTip("Summary, Description, Priority, Labels, Status: the "
                                   "columns an issue tracker's CSV import reads")
        self.xlsx_button = QPushButton("Export Excel…")
        for widget, name in ((self.map_filter, "Map"), (self.status_filter, "Status"),
                             (self.owner_filter, "Owner"), (self.search, "Search"),
                             (self.sort_choice, "Sort by")):
            widget.setAccessibleName(name)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("portfolioTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setItemDelegate(_CellDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.SelectedClicked)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        self.table.setWordWrap(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column in (VALUE, EFFORT, SCORE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for column, width in ((MAP, 120), (STAGE, 100), (TEXT, 220), (STATUS, 90),
                              (OWNER, 80), (ADDRESSES, 160)):
            header.resizeSection(column, width)
        self.matrix = MatrixView()

        bar = QHBoxLayout()
        for text, widget in (("Map", self.map_filter), ("Status", self.status_filter),
                             ("Owner", self.owner_filter)):
            bar.addWidget(QLabel(text))
            bar.addWidget(widget)
        bar.addWidget(self.search, 1)
        bar.addWidget(QLabel("Sort by"))
        bar.addWidget(self.sort_choice)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.csv_button)
        bottom.addWidget(self.xlsx_button)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.matrix)
        split.setSizes([620, 780])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)

        self.act_undo = self._action("Undo", QKeySequence.StandardKey.Undo, self.undo)
        self.act_redo = self._action("Redo", None, self.redo)
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)  # after the gesture that changed the document
        self._connect_signals()
        self.refresh()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Esc closes the window, as it does a dialog (an open cell editor takes its Esc
        first: the edit is cancelled and the window stays)."""
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def _action(self, text: str, keys: Any, slot: Callable[[], Any]) -> QAction:
        action = QAction(text, self)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _connect_signals(self) -> None:
        self._unfollow = follow(self, self.editor.document, self._on_document_changed)
        self._refresh_timer.timeout.connect(self.refresh)
        for combo in (self.map_filter, self.status_filter, self.owner_filter,
                      self.sort_choice):
            combo.activated.connect(lambda _i: self._show())
        self.search.textChanged.connect(lambda _t: self._show())
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.cellDoubleClicked.connect(self._on_cell_double_clicked)
        self.matrix.rescored.connect(self.rescore)
        self.matrix.activated.connect(self._open)
        self.csv_button.clicked.connect(lambda _c=False: self.ask_export(".csv"))
        self.xlsx_button.clicked.connect(lambda _c=False: self.ask_export(".xlsx"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.parent() and event.type() == QEvent.Type.Close:
            self.close()  # the window it belongs to is closing (and its workspace with it)
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------------ showing
    def _on_document_changed(self, changes: Changes) -> None:
        if self.isVisible() and any(key[0] in REFRESH_KINDS for key in changes):
            self._refresh_timer.start()  # (a hidden portfolio is read again when shown)

    def refresh(self) -> None:
        """Read the opportunities again and show them with the filters chosen."""
        self._all = list_opportunities(self.editor.document.workspace)
        self._fill_choices(self.map_filter, "All maps",
                           sorted({o.map_name for o in self._all}, key=str.casefold))
        self._fill_choices(self.owner_filter, "Any owner",
                           sorted({o.owner for o in self._all if o.owner}, key=str.casefold))
        self._show()

    @staticmethod
    def _fill_choices(combo: QComboBox, everything: str, names: list[str]) -> None:
        chosen = combo.currentData()
        combo.clear()
        combo.addItem(everything, None)
        for name in names:
            combo.addItem(name, name)
        combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen is not None else 0)

    def _show(self) -> None:
        shown = filter_opportunities(
            self._all, map_name=self.map_filter.currentData(),
            status=self.status_filter.currentData(), owner=self.owner_filter.currentData(),
            text=self.search.text())
        self.items = sort_opportunities(shown, self.sort_choice.currentData())
        self._fill_table()
        self.matrix.show_opportunities(self.items)
        unscored = sum(not o.scored for o in self.items)
        self.count_label.setText(f"{len(self.items)} of {len(self._all)} opportunities"
                                 + (f", {unscored} not scored" if unscored else ""))

    def _fill_table(self) -> None:
        self._filling = True
        table = self.table
        table.setSortingEnabled(False)
        try:
            table.setRowCount(len(self.items))
            for row, item in enumerate(self.items):
                cells = ((item.map_name, item.map_name.casefold()),
                         (item.stage, item.stage.casefold()),
                         (" ".join(item.text.split()), item.summary.casefold()),
                         (_score_text(item.value), item.value),
                         (_score_text(item.effort), item.effort),
                         ("" if item.score is None else str(item.score), item.score),
                         (item.status_label, _status_rank(item.status)),
                         (item.owner or "", (item.owner or "").casefold() or None),
                         ("; ".join(item.addresses), len(item.addresses) or None))
                for column, (text, sort_key) in enumerate(cells):
                    cell = _SortItem(text)
                    cell.setData(KEY_ROLE, (item.map_id, item.card_id))
                    cell.setData(SORT_ROLE, sort_key)
                    flags = cell.flags() & ~Qt.ItemFlag.ItemIsEditable
                    if column in EDITABLE and not self.editor.document.read_only:
                        flags |= Qt.ItemFlag.ItemIsEditable
                    cell.setFlags(flags)
                    if column == TEXT:
                        cell.setToolTip(item.text)
                    table.setItem(row, column, cell)
        finally:
            self._filling = False
        table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)  # a header click sorts by that column

    # ------------------------------------------------------------------------ editing
    def _on_item_changed(self, cell: QTableWidgetItem) -> None:
        field = EDITABLE.get(cell.column())
        if self._filling or field is None:
            return
        map_id, card_id = cell.data(KEY_ROLE)
        text = cell.text().strip()
        value: Any
        if field in ("value", "effort"):
            value = int(text) if text.isdigit() and int(text) else None
        elif field == "status":
            value = next((k for k, label in OPPORTUNITY_STATUS_LABELS.items() if label == text),
                         None)
        else:
            value = text or None
        self.edit(map_id, card_id, **{field: value})

    def edit(self, map_id: str, card_id: str, **fields: Any) -> bool:
        """Change fields of one opportunity as one undo step on its map's history."""
        m = self.editor.document.workspace.maps.get(map_id)
        card = m.cards.get(card_id) if m is not None else None
        if card is None or all(getattr(card, k) == v for k, v in fields.items()):
            self._refresh_timer.start()  # show the model's values again
            return False
        if not self.editor.run(EditCardCommand(map_id, card_id, **fields)):
            self._refresh_timer.start()
            return False
        self._edited_maps.append(map_id)
        self._undone_maps.clear()
        return True

    def rescore(self, map_id: str, card_id: str, value: int | None,
                effort: int | None) -> bool:
        """The matrix's drop: a new value and effort (None, None: not scored)."""
        return self.edit(map_id, card_id, value=value, effort=effort)

    def undo(self) -> bool:
        """Undo the last edit made here, on its map's history (False: nothing to undo)."""
        while self._edited_maps:
            map_id = self._edited_maps.pop()
            stack = self.editor.stack_for(map_id)
            if stack.canUndo():
                stack.undo()
                self._undone_maps.append(map_id)
                return True
        return False

    def redo(self) -> bool:
        """Redo what :meth:`undo` undid last."""
        while self._undone_maps:
            map_id = self._undone_maps.pop()
            stack = self.editor.stack_for(map_id)
            if stack.canRedo():
                stack.redo()
                self._edited_maps.append(map_id)
                return True
        return False

    # ------------------------------------------------------------------------ going there
    def _on_cell_double_clicked(self, row: int, column: int) -> None:
        cell = self.table.item(row, column)
        if cell is not None and not cell.flags() & Qt.ItemFlag.ItemIsEditable:
            self._open(*cell.data(KEY_ROLE))

    def _open(self, map_id: str, card_id: str) -> None:
        if self.open_card is not None:
            self.open_card(map_id, card_id)

    # ------------------------------------------------------------------------ exporting
    def ask_export(self, suffix: str) -> Path | None:
        """Ask where to write the opportunities on show (CSV or Excel), and write them."""
        chosen = "Issue tracker CSV (*.csv)" if suffix == ".csv" else \
            "Excel workbook (*.xlsx)"
        path = ask_save_path(self, "Export opportunities", f"opportunities{suffix}",
                             EXPORT_FILTERS, selected_filter=chosen)
        if path is None:
            return None
        try:
            export_portfolio(self.items, path)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "JourneyDesk", f"{path}: cannot be written ({exc})")
            return None
        return path


def _score_text(value: int | None) -> str:
    return NO_SCORE if value is None else str(value)


def _status_rank(status: str | None) -> int | None:
    return None if status is None else OPPORTUNITY_STATUSES.index(status)


def show_portfolio(window: Any) -> PortfolioWindow:
    """Map > Opportunity portfolio: show the main window's portfolio (made on first use)."""
    portfolio = getattr(window, "portfolio_window", None)
    if portfolio is None:
        def open_card(map_id: str, card_id: str) -> None:
            if map_id not in window.document.workspace.maps:
                return
            window.open_map(map_id)
            scene = window.map_editor.scene
            if scene is not None and card_id in scene.cards:
                scene.interactions.select_card(card_id)
            window.raise_()
            window.activateWindow()

        portfolio = PortfolioWindow(window.editor, window, open_card=open_card)
        window.installEventFilter(portfolio)  # closed with the main window
        window.portfolio_window = portfolio
    portfolio.refresh()
    portfolio.show()
    portfolio.raise_()
    portfolio.activateWindow()
    return portfolio
