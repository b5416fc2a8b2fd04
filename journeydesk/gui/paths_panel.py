"""The analytics dock's "What they did instead": after a drop-off, the dropped users' top next
events and top paths of the next events (docs/data.md, "What they did instead"), with the
overlay's period, window and segment, computed off the GUI thread and cancellable.  Chosen
noisy events can be hidden from them ("Hide events…", or a row's right-click menu): the numbers
are computed again without them, and the hidden set is kept while the dock is open."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journeydesk.app.metrics import MetricsOptions
from journeydesk.app.paths import (
    DEFAULT_STEPS,
    MAX_STEPS,
    DropOffPaths,
    event_label,
    path_label,
)
from journeydesk.gui.dock_panel import (
    SHARE_ROLE,
    DockPanel,
    control_label,
    hint_label,
    make_table,
    share_column,
)
from journeydesk.gui.drop_off_card import previous_bound

NO_DROP_OFF_TEXT = "Bind two stages to see what people did after a drop-off."
EVENTS_ROLE = int(Qt.ItemDataRole.UserRole)  # a row's events (its next event, or its path)


def seen_events(result: DropOffPaths | None) -> set[str]:
    """The event names a result shows (next events and those of its paths; not "left")."""
    if result is None:
        return set()
    names = {e.event for e in result.next_events}
    for p in result.paths:
        names.update(p.path)
    names.discard(None)
    return names  # type: ignore[return-value]


class HideEventsDialog(QDialog):
    """The event names to hide from the paths: a checkable list with a filter."""

    def __init__(self, names: set[str], hidden: set[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("hideEventsDialog")
        self.setWindowTitle("Hide events from the paths")
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter events")
        self.filter.setAccessibleName("Filter events")
        self.filter.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Events to hide")
        for name in sorted(names | hidden):
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in hidden
                               else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        label = QLabel("Ticked events are left out of the next events and paths "
                       "(the events seen in the results are listed):")
        label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)
        self.filter.textChanged.connect(self._on_filter_changed)
        self.resize(360, 420)

    def _on_filter_changed(self, text: str) -> None:
        needle = text.strip().casefold()
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(bool(needle) and needle not in item.text().casefold())

    def hidden(self) -> set[str]:
        """The ticked names (filtered out of sight or not)."""
        return {self.list.item(r).text() for r in range(self.list.count())
                if self.list.item(r).checkState() == Qt.CheckState.Checked}


def describe(result: DropOffPaths, options: MetricsOptions) -> str:
    """Who the numbers are about: "4 people reached Cart but not Buy within 1d"."""
    within = f" {options.window_text()}" if options.window_seconds else ""
    people = "person" if result.users == 1 else "people"
    return f"{result.users:,} {people} reached {result.previous} but not {result.stage}{within}"


class PathsPanel(DockPanel):
    """The dropped users of one drop-off: their next events and paths, with share bars."""

    kind = "paths"

    def __init__(self, dock: Any):
        super().__init__(dock, "What they did instead",
                         "After a drop-off: the next events of those who did not go on")
        self.result: DropOffPaths | None = None  # the numbers on show
        self.hidden: set[str] = set()  # event names left out of the paths (while it lives)
        self.stage_combo = QComboBox()
        self.stage_combo.setAccessibleName("Drop-off before")
        self.stage_combo.setMinimumContentsLength(14)
        self.stage_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.steps = QSpinBox()
        self.steps.setRange(1, MAX_STEPS)
        self.steps.setValue(DEFAULT_STEPS)
        self.steps.setAccessibleName("Steps in a path")
        self.steps.setToolTip("How many of the next events a path shows")
        self.controls.addWidget(control_label("Drop-off before"))
        self.controls.addWidget(self.stage_combo, 1)
        self.controls.addWidget(control_label("Steps"))
        self.controls.addWidget(self.steps)
        self.hide_button = QPushButton("Hide events…")
        self.hide_button.setObjectName("hideEvents")
        self.hide_button.setToolTip("Leave noisy events out of the next events and paths")
        self.controls.addWidget(self.hide_button)
        self.summary = QLabel(NO_DROP_OFF_TEXT)
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        tables = QHBoxLayout()
        self.next_table = make_table(["Next event", "Users", "Share"], "nextEvents")
        self.paths_table = make_table(["Path", "Users", "Share"], "nextPaths")
        for table in (self.next_table, self.paths_table):
            share_column(table, 2, self.accent())
        tables.addWidget(self.next_table, 2)
        tables.addWidget(self.paths_table, 3)
        self.body.addLayout(tables, 1)
        hidden_row = QHBoxLayout()
        self.hidden_label = hint_label()
        self.hidden_label.setObjectName("hiddenEvents")
        hidden_row.addWidget(self.hidden_label, 1)
        self.show_all_button = QPushButton("Show all")
        self.show_all_button.setObjectName("showAllEvents")
        self.show_all_button.setToolTip("Put the hidden events back into the paths")
        hidden_row.addWidget(self.show_all_button)
        self.body.addLayout(hidden_row)
        self.note = hint_label()
        self.body.addWidget(self.note)
        for table in (self.next_table, self.paths_table):
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.customContextMenuRequested.connect(
                lambda point, t=table: self._on_table_menu(t, point))
        self._show_hidden()
        self.stage_combo.currentIndexChanged.connect(self.compute)
        self.steps.valueChanged.connect(self.compute)
        self.hide_button.clicked.connect(lambda _c=False: self.ask_hidden())
        self.show_all_button.clicked.connect(lambda _c=False: self.set_hidden(set()))

    # ------------------------------------------------------------------ hidden events
    def set_hidden(self, names: set[str]) -> None:
        """Leave these event names out of the paths (computed again when it changes)."""
        names = set(names)
        if names == self.hidden:
            return
        self.hidden = names
        self._show_hidden()
        self.compute()

    def _show_hidden(self) -> None:
        names = sorted(self.hidden)
        text = f"Hidden: {', '.join(names)}" if names else ""
        self.hidden_label.setText(text)
        self.hidden_label.setToolTip(text)
        self.hidden_label.setVisible(bool(names))
        self.show_all_button.setVisible(bool(names))

    def ask_hidden(self) -> HideEventsDialog:
        """"Hide events…": the events seen in the results, ticked when hidden; OK applies."""
        dialog = HideEventsDialog(seen_events(self.result), self.hidden, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.set_hidden(dialog.hidden()))
        dialog.open()
        return dialog

    def row_menu(self, table: QTableWidget, row: int) -> QMenu:
        """A row's menu: "Hide “pricing”" for each event of the row (not "left"), and "Show
        all events" while some are hidden."""
        menu = QMenu(table)
        item = table.item(row, 0) if row >= 0 else None
        events = item.data(EVENTS_ROLE) if item is not None else None
        for name in dict.fromkeys(events or ()):
            if name is not None:
                menu.addAction(f"Hide “{name}”",  # (triggered may pass "checked" first)
                               lambda _checked=False, n=name: self.set_hidden(self.hidden
                                                                              | {n}))
        if self.hidden:
            menu.addSeparator()
            menu.addAction("Show all events", lambda: self.set_hidden(set()))
        return menu

    def _on_table_menu(self, table: QTableWidget, point: QPoint) -> None:
        menu = self.row_menu(table, table.rowAt(point.y()))
        if not menu.isEmpty():
            menu.exec(table.viewport().mapToGlobal(point))
        menu.deleteLater()

    # ------------------------------------------------------------------ choosing
    def show_drop_off(self, stage_index: int) -> bool:
        """Show the drop-off before stage ``stage_index`` (of the map); False when it has
        none (unbound, or the first bound stage)."""
        self._fill_stages()
        found = self.stage_combo.findData(stage_index)
        if found < 0:
            return False
        self.stage_combo.setCurrentIndex(found)
        self.compute()
        return True

    def _fill_stages(self) -> None:
        """The stages with a drop-off before them: each bound stage after the first bound
        one ("Buy (after Cart)"); at first the one losing most people."""
        stages = self.dock._stages()
        keep = self.stage_combo.currentData()
        self.stage_combo.blockSignals(True)
        self.stage_combo.clear()
        for i, (name, events) in enumerate(stages):
            before = previous_bound(stages, i) if events else None
            if before is not None:
                self.stage_combo.addItem(f"{name} (after {stages[before][0]})", i)
        found = self.stage_combo.findData(keep) if keep is not None else -1
        if found < 0:
            found = self._largest_drop()
        self.stage_combo.setCurrentIndex(max(found, 0) if self.stage_combo.count() else -1)
        self.stage_combo.blockSignals(False)

    def _largest_drop(self) -> int:
        entries = (self.controller.metrics or {}).get("stages", [])
        dropped = {e.get("stage"): e.get("dropped") or 0 for e in entries}
        best, most = -1, 0
        for row in range(self.stage_combo.count()):
            name = self.dock._stages()[self.stage_combo.itemData(row)][0]
            if dropped.get(name, 0) > most:
                best, most = row, dropped[name]
        return best

    # ------------------------------------------------------------------ computing
    def key(self, inputs: Any) -> Any:
        index = self.stage_combo.currentData()
        if index is None:
            return None
        return (inputs.ident, inputs.stages, inputs.segment, inputs.dates, inputs.window,
                index, self.steps.value(), tuple(sorted(self.hidden)))

    def compute(self, *_: object) -> None:
        from journeydesk.app.paths import stage_paths

        inputs = self.inputs()
        if inputs is None:
            return
        if self.stage_combo.count() == 0 or self.sender() is not self.stage_combo:
            self._fill_stages()
        index = self.stage_combo.currentData()
        if index is None:
            self._draw(None)
            return
        stages = inputs.stage_list
        after = previous_bound(stages, index)
        if after is None:
            return
        options = MetricsOptions.make(*inputs.dates, dict(inputs.segment), inputs.window)
        steps, hide = self.steps.value(), tuple(sorted(self.hidden))
        self.request(inputs, lambda data: stage_paths(data, stages, after, options,
                                                      steps=steps, hide=hide),
                     lambda result, error: self._delivered(result, error, options))

    def _delivered(self, result: Any, error: BaseException | None,
                   options: MetricsOptions) -> None:
        if not self.delivered(error):
            self._draw(None)
            return
        self._draw(result, options)
        self.drawn()

    # ------------------------------------------------------------------ drawing
    def _draw(self, result: DropOffPaths | None,
              options: MetricsOptions | None = None) -> None:
        self.result = result
        if result is None:
            self.summary.setText(NO_DROP_OFF_TEXT if not self.stage_combo.count() else "")
            self.next_table.setRowCount(0)
            self.paths_table.setRowCount(0)
            self.note.setText("")
            return
        self.summary.setText(describe(result, options or MetricsOptions()) + (
            "; what they did next:" if result.users else "."))
        self._fill(self.next_table, [(event_label(e.event), e.users, e.share, (e.event,))
                                     for e in result.next_events])
        self._fill(self.paths_table, [(path_label(p.path), p.users, p.share, tuple(p.path))
                                      for p in result.paths])
        others = []
        if result.other_next:
            others.append(f"{result.other_next:,} had another next event")
        if result.other_paths:
            others.append(f"{result.other_paths:,} another path")
        self.note.setText(("Not in the top ten: " + ", ".join(others) + ". ") * bool(others)
                          + "(left): no later event.")

    @staticmethod
    def _fill(table: Any, rows: list[tuple[str, int, float, tuple[str | None, ...]]]) -> None:
        table.setRowCount(len(rows))
        for row, (label, users, share, events) in enumerate(rows):
            name = QTableWidgetItem(label)
            name.setToolTip(f"{label}\n(right-click to hide one of its events)"
                            if any(events) else label)
            name.setData(EVENTS_ROLE, list(events))
            count = QTableWidgetItem(f"{users:,}")
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            bar = QTableWidgetItem(f"{share:.0%}")
            bar.setData(SHARE_ROLE, float(share))
            bar.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for column, item in enumerate((name, count, bar)):
                table.setItem(row, column, item)
